package org.vqvae.core.train;

import java.nio.file.Path;

/**
 * How to train a model.
 *
 * @param steps total optimisation steps (a resumed run counts the steps already done)
 * @param batchSize images per step (paper: 128)
 * @param learningRate Adam's step size (paper: 2e-4)
 * @param seed seeds parameter initialisation and batch order
 * @param evalEvery evaluate, log metrics and checkpoint every this many steps (and at the end)
 * @param outDir the run directory for checkpoint, metrics and pictures
 * @param resume continue from {@code outDir/checkpoint} if present
 * @param workers threads decoding images ahead of training (0: on the training thread)
 * @param evalImages at most this many held-out images per evaluation, evenly spaced through the set
 */
public record TrainingOptions(long steps, int batchSize, float learningRate, long seed, long evalEvery, Path outDir,
        boolean resume, int workers, int evalImages) {

    /** Held-out images evaluated when no cap is given: all of them. */
    public static final int ALL_IMAGES = Integer.MAX_VALUE;

    /** Validates the values. */
    public TrainingOptions {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (evalEvery < 1) {
            throw new IllegalArgumentException("evaluation interval must be >= 1, got " + evalEvery);
        }
        if (workers < 0) {
            throw new IllegalArgumentException("--workers must be >= 0, got " + workers);
        }
        if (evalImages < 1) {
            throw new IllegalArgumentException("--eval-images must be >= 1, got " + evalImages);
        }
    }

    /**
     * Options with one decoding thread per core and every held-out image evaluated.
     *
     * @param steps total optimisation steps
     * @param batchSize images per step
     * @param learningRate Adam's step size
     * @param seed seeds initialisation and batch order
     * @param evalEvery evaluation and checkpoint interval
     * @param outDir the run directory
     * @param resume continue from a checkpoint if present
     */
    public TrainingOptions(long steps, int batchSize, float learningRate, long seed, long evalEvery, Path outDir,
            boolean resume) {
        this(steps, batchSize, learningRate, seed, evalEvery, outDir, resume,
                org.vqvae.core.data.BatchLoader.defaultWorkers(), ALL_IMAGES);
    }

    /**
     * Returns a copy with other data-loading settings.
     *
     * @param decodeWorkers threads decoding images
     * @param heldOutImages the most held-out images per evaluation
     * @return the new options
     */
    public TrainingOptions withData(int decodeWorkers, int heldOutImages) {
        return new TrainingOptions(steps, batchSize, learningRate, seed, evalEvery, outDir, resume, decodeWorkers,
                heldOutImages);
    }
}
