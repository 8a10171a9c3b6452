package org.vqvae.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

import java.util.Random;

/** ImageDecoder.resizeCenterCrop to a width and a height: the aspect kept, the box covered, the centre kept. */
class ResizeCoverTest {

    private static DecodedImage image(int w, int h, int c, long seed) {
        byte[] px = new byte[w * h * c];
        new Random(seed).nextBytes(px);
        return new DecodedImage(w, h, c, px);
    }

    /** Columns {@code [from, from + w)} of a CHW image {@code c x h x fullW}. */
    private static byte[] columns(byte[] chw, int c, int h, int fullW, int from, int w) {
        byte[] out = new byte[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(chw, (ch * h + y) * fullW + from, out, (ch * h + y) * w, w);
            }
        }
        return out;
    }

    /** Rows {@code [from, from + h)} of a CHW image {@code c x fullH x w}. */
    private static byte[] rows(byte[] chw, int c, int fullH, int w, int from, int h) {
        byte[] out = new byte[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            System.arraycopy(chw, (ch * fullH + from) * w, out, ch * h * w, h * w);
        }
        return out;
    }

    @Test
    void anImageOfTheSizeComesBackAsItIs() {
        DecodedImage img = image(8, 12, 3, 1);
        byte[] hwc = img.pixels();
        byte[] chw = new byte[hwc.length];
        for (int i = 0; i < 8 * 12; i++) {
            for (int c = 0; c < 3; c++) {
                chw[c * 8 * 12 + i] = hwc[i * 3 + c];
            }
        }
        assertArrayEquals(chw, ImageDecoder.resizeCenterCrop(img, 8, 12));
    }

    @Test
    void aWideImageFitsItsHeightAndLosesItsSides() {
        // 40x30 to 8 wide, 12 high: the height limits, 40x30 becomes 16x12, then columns 4..11
        DecodedImage img = image(40, 30, 3, 2);
        byte[] full = ImageDecoder.resizeCenterCrop(img, 16, 12);
        assertArrayEquals(columns(full, 3, 12, 16, 4, 8), ImageDecoder.resizeCenterCrop(img, 8, 12));
    }

    @Test
    void aTallImageFitsItsWidthAndLosesTopAndBottom() {
        // 30x50 grey to 12 wide, 8 high: the width limits, 30x50 becomes 12x20, then rows 6..13
        DecodedImage img = image(30, 50, 1, 3);
        byte[] full = ImageDecoder.resizeCenterCrop(img, 12, 20);
        assertArrayEquals(rows(full, 1, 20, 12, 6, 8), ImageDecoder.resizeCenterCrop(img, 12, 8));
    }

    @Test
    void aSquareIsTorchvisionsResizeAndCenterCrop() {
        DecodedImage img = image(37, 23, 3, 4);
        assertArrayEquals(ImageDecoder.resizeCenterCrop(img, 16), ImageDecoder.resizeCenterCrop(img, 16, 16));
    }
}
