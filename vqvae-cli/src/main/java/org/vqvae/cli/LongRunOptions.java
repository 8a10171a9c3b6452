package org.vqvae.cli;

import org.vqvae.core.train.LearningRateSchedule;
import org.vqvae.core.train.TrainingOptions;

import picocli.CommandLine.Option;

/** Flags of long runs, shared by {@code train} and {@code train-prior}: learning-rate schedule and checkpoints. */
final class LongRunOptions {

    @Option(names = "--lr-warmup", paramLabel = "N", defaultValue = "0",
            description = "Raise the learning rate linearly over the first N steps, from LR/N to LR (default ${DEFAULT-VALUE}: none).")
    long warmup;

    @Option(names = "--lr-schedule", paramLabel = "constant|cosine", defaultValue = "constant",
            description = "After the warm-up: keep LR, or decay it along half a cosine to --lr-min at the last step"
                    + " (default ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--lr-min", paramLabel = "LR", description = "The rate a cosine schedule ends at (default 0).")
    Float min;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Write a checkpoint every N steps and at the end (default: every --eval-every steps).")
    Long checkpointEvery;

    @Option(names = "--keep-checkpoints", paramLabel = "K", defaultValue = "1",
            description = "Keep the newest K checkpoints as DIR/checkpoint-<step>/ (default ${DEFAULT-VALUE});"
                    + " DIR/checkpoint links to the newest.")
    int keep;

    /** Whether a flag asks for a learning rate that is not constant. */
    boolean scheduled() {
        return warmup != 0 || !"constant".equals(schedule) || min != null;
    }

    /**
     * Returns the training options with these flags applied.
     *
     * @param options the options of the other flags
     * @return the options with the schedule (over {@code options.steps()}) and checkpoint settings
     */
    TrainingOptions applyTo(TrainingOptions options) {
        LearningRateSchedule.Kind kind = LearningRateSchedule.Kind.parse(schedule);
        if (min != null && kind != LearningRateSchedule.Kind.COSINE) {
            throw new IllegalArgumentException("--lr-min applies to --lr-schedule cosine only");
        }
        LearningRateSchedule s = new LearningRateSchedule(options.learningRate(), warmup, kind,
                min == null ? 0 : min, kind == LearningRateSchedule.Kind.COSINE ? options.steps() : 0);
        return options.withLongRun(s, checkpointEvery != null ? checkpointEvery : options.evalEvery(), keep);
    }
}
