package org.vqvae.core.train;

import ai.djl.training.tracker.Tracker;

import com.google.gson.JsonObject;

import java.util.Locale;

/**
 * The learning rate as a pure function of the step: an optional linear warm-up to {@code base},
 * then either constant or a cosine decay to {@code min} (Loshchilov and Hutter 2017, SGDR, without
 * restarts; PyTorch's {@code CosineAnnealingLR}). Because the rate of step {@code s} depends on
 * {@code s} alone, a run resumed at step {@code s} takes exactly the rates the uninterrupted run
 * took from there on. As a DJL {@link Tracker} it is driven by the optimizer's update count.
 *
 * @param base the rate after warm-up (the paper's Adam: 2e-4)
 * @param warmupSteps steps of linear warm-up: step {@code s < warmupSteps} (counted from 0) uses
 *     {@code base * (s + 1) / warmupSteps}; 0 for none
 * @param kind constant or cosine after the warm-up
 * @param min the rate the cosine decays to (0 for a constant schedule)
 * @param totalSteps the step at which the cosine reaches {@code min} (0 for a constant schedule,
 *     whose rate does not depend on the run's length, so such a run can be extended)
 */
public record LearningRateSchedule(float base, long warmupSteps, Kind kind, float min, long totalSteps)
        implements Tracker {

    /** What the rate does after the warm-up. */
    public enum Kind {
        /** Stays at the base rate. */
        CONSTANT,
        /** Follows half a cosine from the base rate down to the minimum at the last step. */
        COSINE;

        /**
         * Parses the command-line spelling.
         *
         * @param name {@code constant} or {@code cosine}
         * @return the kind
         * @throws IllegalArgumentException for any other name
         */
        public static Kind parse(String name) {
            return switch (name) {
                case "constant" -> CONSTANT;
                case "cosine" -> COSINE;
                default -> throw new IllegalArgumentException("--lr-schedule must be constant or cosine, got " + name);
            };
        }

        /** {@inheritDoc} */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Validates the values and normalises a constant schedule's unused fields to 0. */
    public LearningRateSchedule {
        if (!(base > 0) || !Float.isFinite(base)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + base);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("--lr-warmup must be >= 0, got " + warmupSteps);
        }
        if (kind == null) {
            throw new IllegalArgumentException("the learning-rate schedule needs a kind: constant or cosine");
        }
        if (kind == Kind.CONSTANT) {
            min = 0;
            totalSteps = 0;
        } else {
            if (!(min >= 0) || !(min < base)) {
                throw new IllegalArgumentException("--lr-min must be >= 0 and below --lr (" + base + "), got " + min);
            }
            if (totalSteps <= warmupSteps) {
                throw new IllegalArgumentException("a cosine schedule needs more steps (" + totalSteps
                        + ") than warm-up steps (" + warmupSteps + ")");
            }
        }
    }

    /**
     * The constant rate of every run before schedules existed.
     *
     * @param rate the rate
     * @return a constant schedule without warm-up
     */
    public static LearningRateSchedule constant(float rate) {
        return new LearningRateSchedule(rate, 0, Kind.CONSTANT, 0, 0);
    }

    /**
     * Returns the rate of a step.
     *
     * @param step the step, counted from 0 (the update that makes {@code step + 1} steps done)
     * @return the learning rate
     */
    public double at(long step) {
        if (step < warmupSteps) {
            return (double) base * (step + 1) / warmupSteps;
        }
        if (kind == Kind.CONSTANT) {
            return base;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return min + (base - (double) min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    /**
     * The rate of the {@code numUpdate}-th update (counted from 1, as DJL's optimizers count).
     *
     * @param numUpdate the update count
     * @return the learning rate as a float
     */
    @Override
    public float getNewValue(int numUpdate) {
        return (float) at(numUpdate - 1L);
    }

    /**
     * Returns the schedule as JSON, as recorded in a checkpoint's {@code state.json}.
     *
     * @return the JSON object
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("kind", kind.toString());
        o.addProperty("base", base);
        o.addProperty("warmup_steps", warmupSteps);
        if (kind != Kind.CONSTANT) {
            o.addProperty("min", min);
            o.addProperty("total_steps", totalSteps);
        }
        return o;
    }

    /**
     * Reads a schedule written by {@link #toJson}.
     *
     * @param o the JSON object
     * @return the schedule
     * @throws IllegalArgumentException if a field is missing or invalid
     */
    public static LearningRateSchedule fromJson(JsonObject o) {
        try {
            Kind kind = Kind.parse(o.get("kind").getAsString());
            return new LearningRateSchedule(o.get("base").getAsFloat(), o.get("warmup_steps").getAsLong(), kind,
                    kind == Kind.CONSTANT ? 0 : o.get("min").getAsFloat(),
                    kind == Kind.CONSTANT ? 0 : o.get("total_steps").getAsLong());
        } catch (NullPointerException | UnsupportedOperationException | NumberFormatException
                | IllegalStateException e) {
            throw new IllegalArgumentException("malformed learning-rate schedule " + o, e);
        }
    }

    /**
     * Describes the schedule in the words of the command-line flags.
     *
     * @return e.g. {@code --lr 0.0002 --lr-warmup 500 --lr-schedule cosine --lr-min 0.0 over 10000 steps}
     */
    @Override
    public String toString() {
        String s = "--lr " + base + " --lr-warmup " + warmupSteps + " --lr-schedule " + kind;
        return kind == Kind.CONSTANT ? s : s + " --lr-min " + min + " over " + totalSteps + " steps";
    }
}
