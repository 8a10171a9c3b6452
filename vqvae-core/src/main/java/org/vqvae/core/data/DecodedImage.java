package org.vqvae.core.data;

/**
 * A decoded image: unsigned 8-bit samples, row-major and interleaved (HWC), one channel for
 * greyscale (PIL's mode {@code L}) or three for RGB.
 *
 * @param width the width in pixels
 * @param height the height in pixels
 * @param channels 1 or 3
 * @param pixels {@code height * width * channels} samples
 */
public record DecodedImage(int width, int height, int channels, byte[] pixels) {

    /**
     * Checks the shape against the sample count.
     *
     * @param width the width in pixels
     * @param height the height in pixels
     * @param channels 1 or 3
     * @param pixels {@code height * width * channels} samples, HWC
     */
    public DecodedImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (pixels.length != (long) width * height * channels) {
            throw new IllegalArgumentException(pixels.length + " samples for " + width + "x" + height + "x" + channels);
        }
    }

    /**
     * Converts RGB to greyscale as PIL's {@code convert('L')} does: ITU-R 601-2 luma with 16-bit
     * fixed-point weights, rounded.
     *
     * @return this image if it already has one channel, else its luma
     */
    public DecodedImage toGrey() {
        if (channels == 1) {
            return this;
        }
        int n = width * height;
        byte[] grey = new byte[n];
        for (int i = 0, j = 0; i < n; i++, j += 3) {
            grey[i] = (byte) luma(pixels[j] & 0xFF, pixels[j + 1] & 0xFF, pixels[j + 2] & 0xFF);
        }
        return new DecodedImage(width, height, 1, grey);
    }

    /** PIL's weights 0.299, 0.587, 0.114 scaled by 65536; they sum to 65536 so white stays 255. */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }
}
