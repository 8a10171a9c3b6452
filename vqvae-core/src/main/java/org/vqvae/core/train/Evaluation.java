package org.vqvae.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

import org.vqvae.core.data.ImageSet;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.quantize.Codebooks;

/**
 * Held-out quality of a VQ-VAE.
 *
 * @param mse reconstruction mean squared error, pixels in [-0.5, 0.5] (same scale as [0, 1])
 * @param psnr peak signal-to-noise ratio in dB for a peak of 1: {@code 10 log10(1 / mse)}
 * @param perplexity {@code exp} of the entropy of the codes used over the whole set
 * @param codebookUsage fraction of the K codes used at least once
 */
public record Evaluation(double mse, double psnr, double perplexity, double codebookUsage) {

    /**
     * Evaluates a model on images, in chunks, in inference mode.
     *
     * @param model the model
     * @param images the held-out images
     * @param manager a manager for temporary arrays (each chunk uses and closes a sub-manager)
     * @param chunk images per forward pass
     * @return the metrics
     */
    public static Evaluation of(VqVae model, ImageSet images, NDManager manager, int chunk) {
        double squared = 0;
        long[] counts = new long[model.getConfig().numCodes()];
        for (int from = 0; from < images.count(); from += chunk) {
            int to = Math.min(images.count(), from + chunk);
            try (NDManager step = manager.newSubManager()) {
                NDArray x = images.slice(from, to).toImages(step);
                NDList out = model.forward(new ParameterStore(step, false), new NDList(x), false);
                squared += out.get(VqVae.RECONSTRUCTION).sub(x).square().sum().getFloat();
                long[] c = Codebooks.counts(out.get(VqVae.CODES), counts.length);
                for (int k = 0; k < counts.length; k++) {
                    counts[k] += c[k];
                }
            }
        }
        long values = (long) images.count() * images.channels() * images.height() * images.width();
        double mse = squared / values;
        return new Evaluation(mse, psnr(mse), Codebooks.perplexity(counts), Codebooks.usage(counts));
    }

    /**
     * PSNR in dB for pixels of range 1.
     *
     * @param mse mean squared error
     * @return {@code 10 log10(1 / mse)}
     */
    public static double psnr(double mse) {
        return 10 * Math.log10(1.0 / mse);
    }
}
