package org.vqvae.core.train;

import java.nio.file.Path;

/**
 * How to train a model.
 *
 * @param steps total optimisation steps (a resumed run counts the steps already done)
 * @param batchSize images per step (paper: 128)
 * @param learningRate Adam's step size after warm-up (paper: 2e-4); the base of {@code schedule}
 * @param seed seeds parameter initialisation and batch order
 * @param evalEvery evaluate and log metrics every this many steps (and at the end)
 * @param outDir the run directory for checkpoints, metrics and pictures
 * @param resume continue from the newest checkpoint in {@code outDir} if there is one
 * @param workers threads decoding images ahead of training (0: on the training thread)
 * @param evalImages at most this many held-out images per evaluation, evenly spaced through the set
 * @param schedule the learning rate of each step
 * @param checkpointEvery write a checkpoint every this many steps (and at the end)
 * @param keepCheckpoints keep this many of the newest checkpoints
 */
public record TrainingOptions(long steps, int batchSize, float learningRate, long seed, long evalEvery, Path outDir,
        boolean resume, int workers, int evalImages, LearningRateSchedule schedule, long checkpointEvery,
        int keepCheckpoints) {

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
        if (schedule == null || schedule.base() != learningRate) {
            throw new IllegalArgumentException("the learning-rate schedule must start from the learning rate "
                    + learningRate + ", got " + schedule);
        }
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("--checkpoint-every must be >= 1, got " + checkpointEvery);
        }
        if (keepCheckpoints < 1) {
            throw new IllegalArgumentException("--keep-checkpoints must be >= 1, got " + keepCheckpoints);
        }
    }

    /**
     * Options with a constant learning rate and a checkpoint, the only one kept, at every
     * evaluation: how every run trained before schedules and numbered checkpoints existed.
     *
     * @param steps total optimisation steps
     * @param batchSize images per step
     * @param learningRate Adam's step size
     * @param seed seeds initialisation and batch order
     * @param evalEvery evaluation and checkpoint interval
     * @param outDir the run directory
     * @param resume continue from a checkpoint if present
     * @param workers threads decoding images
     * @param evalImages the most held-out images per evaluation
     */
    public TrainingOptions(long steps, int batchSize, float learningRate, long seed, long evalEvery, Path outDir,
            boolean resume, int workers, int evalImages) {
        this(steps, batchSize, learningRate, seed, evalEvery, outDir, resume, workers, evalImages,
                LearningRateSchedule.constant(learningRate), evalEvery, 1);
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
                heldOutImages, schedule, checkpointEvery, keepCheckpoints);
    }

    /**
     * Returns a copy with the settings of a long run: a learning-rate schedule (whose base becomes
     * the learning rate) and how often checkpoints are written and how many are kept.
     *
     * @param lrSchedule the learning rate of each step
     * @param everySteps checkpoint interval in steps
     * @param keep how many of the newest checkpoints to keep
     * @return the new options
     */
    public TrainingOptions withLongRun(LearningRateSchedule lrSchedule, long everySteps, int keep) {
        return new TrainingOptions(steps, batchSize, lrSchedule.base(), seed, evalEvery, outDir, resume, workers,
                evalImages, lrSchedule, everySteps, keep);
    }
}
