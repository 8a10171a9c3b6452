package org.vqvae.core.data;

import java.io.IOException;

/**
 * The simplest baseline a model must beat: predict the training set's per-pixel mean image for
 * every held-out image. Streams both sets batch by batch.
 */
public final class MeanImage {

    /** Training images the mean is estimated from at most (evenly spaced through the set). */
    public static final int MAX_TRAIN_IMAGES = 10_000;

    private MeanImage() {}

    /**
     * Returns the mean squared error of the mean training image on held-out images, pixels in
     * [0, 1] (the same as in the [-0.5, 0.5] training scale).
     *
     * @param train the training images (at most {@code trainLimit} of them, evenly spaced, make the mean)
     * @param heldOut the images to predict
     * @param trainLimit the most training images read
     * @param workers threads decoding images
     * @return the baseline MSE
     * @throws IOException if an image cannot be read
     */
    public static double baselineMse(ImageSource train, ImageSource heldOut, int trainLimit, int workers)
            throws IOException {
        int per = train.imageBytes();
        if (heldOut.imageBytes() != per) {
            throw new IllegalArgumentException("held-out images are " + heldOut.shapeText() + ", training images "
                    + train.shapeText());
        }
        ImageSource sample = train.evenlySpaced(trainLimit);
        double[] mean = new double[per];
        int batch = Math.max(1, Math.min(256, (16 << 20) / per));
        try (BatchLoader loader = BatchLoader.sequential(sample, batch, workers)) {
            while (loader.hasNext()) {
                ImageSet b = loader.next();
                for (int i = 0; i < b.count(); i++) {
                    for (int j = 0; j < per; j++) {
                        mean[j] += b.pixels()[i * per + j] & 0xFF;
                    }
                }
            }
        }
        for (int j = 0; j < per; j++) {
            mean[j] /= 255.0 * sample.size();
        }
        double sq = 0;
        try (BatchLoader loader = BatchLoader.sequential(heldOut, batch, workers)) {
            while (loader.hasNext()) {
                ImageSet b = loader.next();
                for (int i = 0; i < b.count(); i++) {
                    for (int j = 0; j < per; j++) {
                        double d = (b.pixels()[i * per + j] & 0xFF) / 255.0 - mean[j];
                        sq += d * d;
                    }
                }
            }
        }
        return sq / ((double) heldOut.size() * per);
    }
}
