package org.vqvae.prior;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.io.IOException;

import org.vqvae.core.data.ImageSource;
import org.vqvae.core.model.CodeModel;
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
     * @throws IOException if an image cannot be read
     */
    public static CodeSet encode(VqVae model, ImageSource images, NDManager manager) throws IOException {
        return encodeLevels(model, images, manager)[0];
    }

    /**
     * Encodes every image to one labelled code set per level, bottom first.
     *
     * @param model the trained VQ-VAE or VQ-VAE-2
     * @param images labelled images of the model's size
     * @param manager a manager for temporaries
     * @return the code maps of each level with the images' labels
     */
    public static CodeSet[] encodeLevels(CodeModel model, ImageSource images, NDManager manager)
            throws IOException {
        int levels = model.levels();
        long[][] codes = new long[levels][];
        int[] h = new int[levels];
        int[] w = new int[levels];
        for (int from = 0; from < images.size(); from += CHUNK) {
            int to = Math.min(images.size(), from + CHUNK);
            try (NDManager m = manager.newSubManager()) {
                NDList c = model.encodeLevels(images.gather(from, to).toImages(m));
                for (int l = 0; l < levels; l++) {
                    if (codes[l] == null) {
                        h[l] = (int) c.get(l).getShape().get(1);
                        w[l] = (int) c.get(l).getShape().get(2);
                        codes[l] = new long[images.size() * h[l] * w[l]];
                    }
                    System.arraycopy(c.get(l).toLongArray(), 0, codes[l], from * h[l] * w[l], (to - from) * h[l] * w[l]);
                }
            }
        }
        long[] labels = new long[images.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = images.label(i);
        }
        CodeSet[] sets = new CodeSet[levels];
        for (int l = 0; l < levels; l++) {
            sets[l] = new CodeSet(codes[l] == null ? new long[0] : codes[l], labels, h[l], w[l]);
        }
        return sets;
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
