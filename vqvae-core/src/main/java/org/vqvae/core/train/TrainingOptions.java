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
 */
public record TrainingOptions(
        long steps, int batchSize, float learningRate, long seed, long evalEvery, Path outDir, boolean resume) {

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
    }
}
