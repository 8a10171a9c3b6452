package org.vqvae.bench;

import org.vqvae.core.model.VqVaeConfig;

/** Counts the multiply-adds of a VQ-VAE, so that a measured time can be put against the matmul rate. */
public final class ModelFlops {

    private ModelFlops() {}

    /**
     * FLOPs (2 per multiply-add) of one training step: the convolutions forward and twice backward
     * (input and weight gradients), plus the quantizer's distance product forward only.
     *
     * @param c the model configuration
     * @param batch images per step
     * @return FLOPs
     */
    public static double trainingStep(VqVaeConfig c, int batch) {
        return 3 * convolutionsForward(c, batch) + quantizer(c, batch);
    }

    /**
     * FLOPs of the encoder and decoder convolutions, forward.
     *
     * @param c the model configuration
     * @param batch images
     * @return FLOPs
     */
    public static double convolutionsForward(VqVaeConfig c, int batch) {
        int strided = Integer.numberOfTrailingZeros(c.downsample());
        long h = c.imageHeight();
        long w = c.imageWidth();
        long in = c.imageChannels();
        double f = 0;
        for (int i = 0; i < strided; i++) {
            long out = i == strided - 1 ? c.hiddenChannels() : c.hiddenChannels() / 2;
            h /= 2;
            w /= 2;
            f += conv(in, out, 16, h * w);
            // the decoder's transposed convolution mirrors it: same multiply-adds
            f += conv(in, out, 16, h * w);
            in = out;
        }
        long hw = h * w;
        long hid = c.hiddenChannels();
        f += conv(hid, hid, 9, hw); // encoder 3x3
        f += conv(c.codeDim(), hid, 9, hw); // decoder 3x3 from D
        f += 2 * c.residualBlocks() * (conv(hid, c.residualChannels(), 9, hw) + conv(c.residualChannels(), hid, 1, hw));
        f += conv(hid, c.codeDim(), 1, hw); // projection to D
        return f * batch;
    }

    /**
     * FLOPs of the nearest-code search.
     *
     * @param c the model configuration
     * @param batch images
     * @return FLOPs
     */
    public static double quantizer(VqVaeConfig c, int batch) {
        return 2.0 * batch * c.codeHeight() * c.codeWidth() * c.numCodes() * c.codeDim();
    }

    private static double conv(long in, long out, long kernelArea, long outputPixels) {
        return 2.0 * in * out * kernelArea * outputPixels;
    }
}
