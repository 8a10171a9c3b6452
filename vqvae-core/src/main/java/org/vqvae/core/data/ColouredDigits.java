package org.vqvae.core.data;

import java.util.Random;

/**
 * Colour images made from grey digits: each digit tinted with a random bright colour on a random
 * dark background and padded to 32x32 RGB. Colour data for VQ-VAE-2 on a machine without CIFAR-10
 * ({@code coloured-digits}, from the embedded MNIST sample); image i's colours depend on i alone.
 */
public final class ColouredDigits {

    /** Side of the coloured images. */
    public static final int SIZE = 32;

    private ColouredDigits() {}

    /**
     * Tints and pads every image.
     *
     * @param grey 1-channel 28x28 images
     * @param seed colours of image i come from {@code seed + i}
     * @return 3-channel 32x32 images with the same labels
     */
    public static ImageSet of(ImageSet grey, long seed) {
        if (grey.channels() != 1 || grey.height() != 28 || grey.width() != 28) {
            throw new IllegalArgumentException("coloured digits are made from 1x28x28 images, got " + grey.channels()
                    + "x" + grey.height() + "x" + grey.width());
        }
        int plane = SIZE * SIZE;
        byte[] out = new byte[grey.count() * 3 * plane];
        for (int i = 0; i < grey.count(); i++) {
            Random r = new Random(seed + i);
            int[] fg = {80 + r.nextInt(176), 80 + r.nextInt(176), 80 + r.nextInt(176)};
            int[] bg = {r.nextInt(100), r.nextInt(100), r.nextInt(100)};
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    int v = y >= 2 && y < 30 && x >= 2 && x < 30
                            ? grey.pixels()[i * 784 + (y - 2) * 28 + (x - 2)] & 0xFF : 0;
                    for (int c = 0; c < 3; c++) {
                        out[(i * 3 + c) * plane + y * SIZE + x] = (byte) ((bg[c] * (255 - v) + fg[c] * v) / 255);
                    }
                }
            }
        }
        return new ImageSet(out, grey.labels().clone(), grey.count(), 3, SIZE, SIZE);
    }
}
