package org.vqvae.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.util.Pair;

import org.junit.jupiter.api.Test;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.quantize.GatheredStatistics;
import org.vqvae.core.quantize.VectorQuantizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A step on a batch of 8 split into parts (2 equal, 3 unequal: 3, 3, 2) on the CPU gives the
 * gradients, parameters and codebook state of one step on the whole batch, for both quantizers and
 * a VQ-VAE-2 with k-means starts; and the comparison notices an unweighted sum of part losses or
 * EMA statistics updated part by part, so it cannot pass vacuously.
 *
 * <p>Measured (CPU, libtorch 2.7.1, 2 threads), split against whole: gradients at most 6e-7
 * relative, codebook state (EMA counts, sums and codebook, code ages) 2e-7 relative, parameters
 * trained by Adam 1.5e-5 of a step; float sums in another order. Tolerances: 1e-5 relative, 1e-2
 * of a step. Negative controls: unweighted part losses move the gradients by 2.1 to 2.3
 * (relative), EMA state updated part by part differs by 0.44.
 */
class DataParallelStepTest {

    /** Largest accepted difference of gradients and codebook state, relative (see {@link #relativeDifference}). */
    static final double TOLERANCE = 1e-5;
    /** Adam's step size in these tests. */
    static final float LEARNING_RATE = 1e-3f;
    /**
     * Largest accepted difference of trained parameters after the step, as a fraction of the step
     * size: Adam moves a weight whose gradient is near zero by {@code lr * g / (|g| + eps)}, which
     * turns float noise in a tiny gradient into up to a thousandth of a step (measured).
     */
    static final double STEP_FRACTION = 1e-2;

    private static final Device CPU = Device.cpu();
    private static final List<Device> WHOLE = List.of(CPU);
    private static final List<Device> TWO = List.of(CPU, CPU);
    private static final List<Device> THREE = List.of(CPU, CPU, CPU);

    @Test
    void partSizesAreContiguousAndDifferByAtMostOne() {
        assertArrayEquals(new int[] {3, 3, 2}, DataParallelStep.partSizes(8, 3));
        assertArrayEquals(new int[] {4, 4}, DataParallelStep.partSizes(8, 2));
        assertArrayEquals(new int[] {1, 1, 1}, DataParallelStep.partSizes(3, 3));
        assertThrows(IllegalArgumentException.class, () -> DataParallelStep.partSizes(2, 3));
        assertArrayEquals(new Device[] {CPU}, DataParallelStep.trainerDevices(THREE));
    }

    @Test
    void codebookLossQuantizerWithRestarts() {
        VqVaeConfig config = VqVaeConfig.defaults(1, 16, 16).withTrunk(16, 8, 1).withCodebook(16, 4)
                .withCodebookHealth(1, false);
        checkSplitEqualsWhole(() -> new VqVae(config), 1);
    }

    @Test
    void emaQuantizerWithRestarts() {
        VqVaeConfig config = VqVaeConfig.defaults(1, 16, 16).withTrunk(16, 8, 1).withCodebook(16, 4).withEma(true)
                .withCodebookHealth(1, false);
        StepResult whole = checkSplitEqualsWhole(() -> new VqVae(config), 1);
        // negative control: each part updating the EMA state in its own forward pass, as it would
        // under DJL's multi-device training alone, leaves other counts and sums
        StepResult perPart = step(() -> new VqVae(config), 1, new DataParallelStep(TWO, true, false));
        double ema = relativeDifference(whole.state, perPart.state, "ema");
        System.out.printf("EMA updated part by part: EMA state %.2e relative%n", ema);
        assertTrue(ema > 1000 * TOLERANCE, "EMA updated part by part differs by only " + ema);
    }

    @Test
    void vqVae2WithRestarts() {
        VqVae2Config config = VqVae2Config.defaults(3, 16, 16, 2).withSizes(16, 8, 1, 16, 4).withCodebookHealth(1, false);
        checkSplitEqualsWhole(() -> new VqVae2(config), 3);
    }

    @Test
    void vqVae2WithKMeansStarts() {
        // k-means starts each level at centres of the batch, so no code is left to restart
        VqVae2Config config = VqVae2Config.defaults(3, 16, 16, 2).withSizes(16, 8, 1, 16, 4).withCodebookHealth(0, true);
        checkSplitEqualsWhole(() -> new VqVae2(config), 3, false);
    }

    /**
     * Runs one step on the whole batch, in 2 parts and in 3 unequal parts, and checks that the
     * parts give the whole batch's loss, gradients and parameters after the step (codebook state
     * included); then that an unweighted sum of the parts' losses is caught.
     */
    private static StepResult checkSplitEqualsWhole(Supplier<CodeModel> build, int channels) {
        return checkSplitEqualsWhole(build, channels, true);
    }

    private static StepResult checkSplitEqualsWhole(Supplier<CodeModel> build, int channels, boolean restarts) {
        StepResult whole = step(build, channels, new DataParallelStep(WHOLE));
        if (restarts) {
            assertTrue(whole.restarts > 0, "the step should restart some dead codes, to compare restarts too");
        }
        for (List<Device> parts : List.of(TWO, THREE)) {
            StepResult split = step(build, channels, new DataParallelStep(parts));
            String what = parts.size() + " parts";
            assertEquals(whole.restarts, split.restarts, what + ": restarted codes");
            assertEquals(whole.loss, split.loss, TOLERANCE * Math.abs(whole.loss), what + ": loss");
            double gradients = relativeDifference(whole.gradients, split.gradients, "");
            double trained = absoluteDifference(whole.trained, split.trained) / LEARNING_RATE;
            double state = relativeDifference(whole.state, split.state, "");
            System.out.printf("%s, %s: gradients %.2e relative, trained parameters %.2e steps, codebook state"
                    + " %.2e relative%n", build.get().getClass().getSimpleName(), what, gradients, trained, state);
            assertTrue(gradients <= TOLERANCE, what + ": gradients differ by " + gradients);
            assertTrue(trained <= STEP_FRACTION, what + ": trained parameters differ by " + trained + " steps");
            assertTrue(state <= TOLERANCE, what + ": codebook state differs by " + state);
        }
        // negative control: the parts' mean losses summed unweighted, as DJL's EasyTrain does
        StepResult unweighted = step(build, channels, new DataParallelStep(THREE, false, true));
        double off = relativeDifference(whole.gradients, unweighted.gradients, "");
        System.out.printf("unweighted 3 parts: gradients %.2e relative%n", off);
        assertTrue(off > 1000 * TOLERANCE, "unweighted parts differ by only " + off);
        return whole;
    }

    /**
     * What one step left behind: the loss, the gradients, the parameters trained by Adam and the
     * state that has no gradient (EMA counts, sums and codebook, code ages, the k-means flag).
     */
    private record StepResult(float loss, Map<String, float[]> gradients, Map<String, float[]> trained,
            Map<String, float[]> state, int restarts) {}

    /** Builds the model afresh (same seed), runs one step on the same 8 images and records it. */
    private static StepResult step(Supplier<CodeModel> build, int channels, DataParallelStep step) {
        Engine.getInstance().setRandomSeed(5);
        CodeModel model = build.get();
        try (NDManager parameters = NDManager.newBaseManager(CPU); Model djl = Model.newInstance("split", CPU)) {
            model.initialize(parameters);
            djl.setBlock(model);
            Map<String, float[]> gradients = new LinkedHashMap<>();
            float loss;
            try (Trainer trainer = djl.newTrainer(VqVaeTrainer.trainingConfig(new CheckpointableAdam(LEARNING_RATE),
                    DataParallelStep.trainerDevices(List.of(CPU))));
                    NDManager stepManager = djl.getNDManager().newSubManager()) {
                float[] pixels = new float[8 * channels * 16 * 16];
                Random random = new Random(9);
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = random.nextFloat() - 0.5f;
                }
                NDList batch = new NDList(stepManager.create(pixels, new Shape(8, channels, 16, 16)));
                Engine.getInstance().setRandomSeed(7); // restarts and k-means draw from the engine
                loss = step.run(trainer, batch, (outputs, l) -> {
                    for (Pair<String, Parameter> p : model.getParameters()) {
                        if (p.getValue().requiresGradient()) {
                            gradients.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
                        }
                    }
                });
            }
            Map<String, float[]> trained = new LinkedHashMap<>();
            Map<String, float[]> state = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : model.getParameters()) {
                (p.getValue().requiresGradient() ? trained : state).put(p.getKey(),
                        p.getValue().getArray().toFloatArray());
            }
            int restarts = 0;
            for (VectorQuantizer q : GatheredStatistics.quantizersOf(model)) {
                restarts += q.getLastRestarts();
                assertFalse(q.awaitsKMeansSeed());
            }
            return new StepResult(loss, gradients, trained, state, restarts);
        }
    }

    /**
     * The largest difference between two runs' tensors whose names contain {@code filter}, each
     * relative to its own largest magnitude or a thousandth of the largest magnitude among all of
     * them, whichever is larger: a gradient that is zero but for rounding (the attention's key
     * bias: softmax ignores a shift shared by all keys) is noise of about 1e-11, whose relative
     * difference means nothing.
     */
    static double relativeDifference(Map<String, float[]> a, Map<String, float[]> b, String filter) {
        assertEquals(a.keySet(), b.keySet());
        double largest = 0;
        for (float[] x : a.values()) {
            for (float v : x) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        double worst = 0;
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            if (!e.getKey().toLowerCase(java.util.Locale.ROOT).contains(filter)) {
                continue;
            }
            float[] x = e.getValue();
            float[] y = b.get(e.getKey());
            double scale = Math.max(1e-3 * largest, 1e-30);
            double diff = 0;
            for (int i = 0; i < x.length; i++) {
                scale = Math.max(scale, Math.abs(x[i]));
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
            }
            worst = Math.max(worst, diff / scale);
        }
        return worst;
    }

    /** The largest absolute difference between two runs' tensors. */
    static double absoluteDifference(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        double worst = 0;
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            float[] x = e.getValue();
            float[] y = b.get(e.getKey());
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        return worst;
    }
}
