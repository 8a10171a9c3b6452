package org.vqvae.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

import org.vqvae.core.data.BatchLoader;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.quantize.Codebooks;

import java.io.IOException;

/**
 * Held-out quality of a VQ-VAE.
 *
 * @param mse reconstruction mean squared error, pixels in [-0.5, 0.5] (same scale as [0, 1])
 * @param psnr peak signal-to-noise ratio in dB for a peak of 1: {@code 10 log10(1 / mse)}
 * @param perplexity {@code exp} of the entropy of the codes used over the whole set
 * @param codebookUsage fraction of the K codes used at least once
 * @param levelPerplexity perplexity per level, bottom first (the first equals {@code perplexity})
 * @param levelUsage codebook usage per level, bottom first
 */
public record Evaluation(double mse, double psnr, double perplexity, double codebookUsage, double[] levelPerplexity,
        double[] levelUsage) {

    /** Pixel values per forward pass that {@link #chunkFor} aims at (64 MB of float32 input). */
    public static final long CHUNK_VALUES = 16L << 20;

    /**
     * Images per forward pass for evaluation and encoding: at most 500, fewer for large images so
     * that one pass holds about {@link #CHUNK_VALUES} input values.
     *
     * @param images the images
     * @return the chunk size
     */
    public static int chunkFor(ImageSource images) {
        return (int) Math.max(1, Math.min(500, CHUNK_VALUES / images.imageBytes()));
    }

    /**
     * Evaluates a model on images, in chunks, in inference mode, decoding on one thread per core.
     *
     * @param model the model
     * @param images the held-out images
     * @param manager a manager for temporary arrays (each chunk uses and closes a sub-manager)
     * @param chunk images per forward pass
     * @return the metrics
     * @throws IOException if an image cannot be read
     */
    public static Evaluation of(CodeModel model, ImageSource images, NDManager manager, int chunk) throws IOException {
        return of(model, images, manager, chunk, BatchLoader.defaultWorkers());
    }

    /**
     * Evaluates a model on images, in chunks, in inference mode.
     *
     * @param model the model
     * @param images the held-out images
     * @param manager a manager for temporary arrays (each chunk uses and closes a sub-manager)
     * @param chunk images per forward pass
     * @param workers threads decoding images
     * @return the metrics
     * @throws IOException if an image cannot be read
     */
    public static Evaluation of(CodeModel model, ImageSource images, NDManager manager, int chunk, int workers)
            throws IOException {
        double squared = 0;
        int levels = model.levels();
        long[][] counts = new long[levels][];
        for (int l = 0; l < levels; l++) {
            counts[l] = new long[model.numCodes(l)];
        }
        try (BatchLoader loader = BatchLoader.sequential(images, chunk, workers)) {
            while (loader.hasNext()) {
                ImageSet batch = loader.next();
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = batch.toImages(step);
                    NDList out = model.forward(new ParameterStore(step, false), new NDList(x), false);
                    squared += out.get(CodeModel.RECONSTRUCTION).sub(x).square().sum().getFloat();
                    for (int l = 0; l < levels; l++) {
                        long[] c = Codebooks.counts(out.get(CodeModel.CODES + l), counts[l].length);
                        for (int k = 0; k < c.length; k++) {
                            counts[l][k] += c[k];
                        }
                    }
                }
            }
        }
        long values = (long) images.size() * images.imageBytes();
        double mse = squared / values;
        double[] ppl = new double[levels];
        double[] usage = new double[levels];
        for (int l = 0; l < levels; l++) {
            ppl[l] = Codebooks.perplexity(counts[l]);
            usage[l] = Codebooks.usage(counts[l]);
        }
        return new Evaluation(mse, psnr(mse), ppl[0], usage[0], ppl, usage);
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
