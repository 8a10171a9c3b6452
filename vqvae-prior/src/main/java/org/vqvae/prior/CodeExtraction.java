package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.ImageSet;
import org.vqvae.core.model.VqVae;

/** Encodes labelled images into labelled code maps with a trained VQ-VAE. */
public final class CodeExtraction {

    private static final int CHUNK = 500;

    private CodeExtraction() {}

    /**
     * Encodes every image.
     *
     * @param model the trained VQ-VAE
     * @param images labelled images of the model's size
     * @param manager a manager for temporaries
     * @return the code maps with the images' labels
     */
    public static CodeSet encode(VqVae model, ImageSet images, NDManager manager) {
        int h = model.getConfig().codeHeight();
        int w = model.getConfig().codeWidth();
        long[] codes = new long[images.count() * h * w];
        for (int from = 0; from < images.count(); from += CHUNK) {
            int to = Math.min(images.count(), from + CHUNK);
            try (NDManager m = manager.newSubManager()) {
                NDArray c = model.encode(images.slice(from, to).toImages(m));
                System.arraycopy(c.toLongArray(), 0, codes, from * h * w, (to - from) * h * w);
            }
        }
        long[] labels = new long[images.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = images.labels()[i];
        }
        return new CodeSet(codes, labels, h, w);
    }

    /**
     * Bits per image dimension of the whole model: the prior's code NLL plus the decoder's
     * reconstruction term under a Gaussian of variance MSE, discretised to 256 pixel levels,
     * divided by the image's dimensions:
     *
     * <pre>
     *   bits/dim = ( h w b + C H W ( log2(2 pi e mse) / 2 + log2 255 ) ) / (C H W)
     * </pre>
     *
     * with b the prior's bits per code, h x w the code map, C x H x W the image and mse the
     * held-out reconstruction MSE in the [0, 1] pixel scale.
     *
     * @param bitsPerCode the prior's held-out bits per code
     * @param codePositions h * w
     * @param imageDims C * H * W
     * @param mse held-out reconstruction MSE
     * @return bits per dimension
     */
    public static double bitsPerDim(double bitsPerCode, int codePositions, int imageDims, double mse) {
        double reconstruction = 0.5 * Math.log(2 * Math.PI * Math.E * mse) / Math.log(2) + Math.log(255) / Math.log(2);
        return (codePositions * bitsPerCode + imageDims * reconstruction) / imageDims;
    }
}
