package org.vqvae.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.util.Pair;

import org.junit.jupiter.api.Test;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.CodeSet;
import org.vqvae.prior.GatedPixelCnn;
import org.vqvae.prior.PixelCnnConfig;
import org.vqvae.prior.PixelSnail;
import org.vqvae.prior.PixelSnailConfig;
import org.vqvae.prior.PriorTrainer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A prior's step on 8 code maps split into parts (2 equal, 3 unequal) on the CPU gives the whole
 * batch's loss, gradients and parameters: the Gated PixelCNN, and a PixelSNAIL with attention
 * conditioned on the codes of a level above (so class labels and conditions are split with the
 * codes). The unweighted sum of the parts' losses is caught. This test sits in the step's package
 * to reach that negative control.
 *
 * <p>Measured (CPU, libtorch 2.7.1, 2 threads), split against whole: gradients at most 7e-7
 * relative, parameters after the Adam step 1e-3 of a step (PixelSNAIL; 1e-4 Gated PixelCNN);
 * tolerances 1e-5 and 1e-2 of a step; unweighted part losses move the gradients by 2.6 to 3.0. The comparisons are those of {@code
 * DataParallelStepTest} (vqvae-core), whose Javadoc says why parameters are compared in steps.
 */
class DataParallelPriorTest {

    /** Largest accepted difference of gradients, relative (see {@link #relativeDifference}). */
    private static final double TOLERANCE = 1e-5;
    private static final float LEARNING_RATE = 1e-3f;
    /** Largest accepted difference of parameters after the step, as a fraction of Adam's step size. */
    private static final double STEP_FRACTION = 1e-2;
    private static final Device CPU = Device.cpu();

    @Test
    void gatedPixelCnn() {
        check(() -> new GatedPixelCnn(PixelCnnConfig.defaults(8, 4, 4, 4).withSize(16, 3, 3)), false);
    }

    @Test
    void conditionedPixelSnailWithAttention() {
        check(() -> new PixelSnail(PixelSnailConfig.defaults(8, 4, 4, 4).withSize(16, 1, 2).withAttention(2, 8, 8)
                .conditionedOn(6, 2, 2)), true);
    }

    private static void check(Supplier<CodePrior> build, boolean conditioned) {
        CodeSet set = codes(conditioned);
        Result whole = step(build, set, new DataParallelStep(List.of(CPU)));
        for (List<Device> parts : List.of(List.of(CPU, CPU), List.of(CPU, CPU, CPU))) {
            Result split = step(build, set, new DataParallelStep(parts));
            String what = parts.size() + " parts";
            double gradients = relativeDifference(whole.gradients, split.gradients, "");
            double trained = absoluteDifference(whole.parameters, split.parameters) / LEARNING_RATE;
            System.out.printf("%s, %s: gradients %.2e relative, parameters %.2e steps%n",
                    build.get().getClass().getSimpleName(), what, gradients, trained);
            assertEquals(whole.loss, split.loss, TOLERANCE * whole.loss, what + ": loss");
            assertTrue(gradients <= TOLERANCE, what + ": gradients differ by " + gradients);
            assertTrue(trained <= STEP_FRACTION, what + ": parameters differ by " + trained + " steps");
        }
        Result unweighted = step(build, set, new DataParallelStep(List.of(CPU, CPU, CPU), false, true));
        double off = relativeDifference(whole.gradients, unweighted.gradients, "");
        System.out.printf("unweighted 3 parts: gradients %.2e relative%n", off);
        assertTrue(off > 1000 * TOLERANCE, "unweighted parts differ by only " + off);
    }

    /** Eight random 4x4 maps of 8 codes, with classes (and 2x2 maps of 6 codes above them). */
    private static CodeSet codes(boolean conditioned) {
        Random random = new Random(3);
        long[] codes = new long[8 * 16];
        long[] labels = new long[8];
        long[] above = new long[8 * 4];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = random.nextInt(8);
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = random.nextInt(4);
        }
        for (int i = 0; i < above.length; i++) {
            above[i] = random.nextInt(6);
        }
        return conditioned ? new CodeSet(codes, labels, 4, 4, above, 2, 2) : new CodeSet(codes, labels, 4, 4);
    }

    private record Result(float loss, Map<String, float[]> gradients, Map<String, float[]> parameters) {}

    private static Result step(Supplier<CodePrior> build, CodeSet set, DataParallelStep step) {
        Engine.getInstance().setRandomSeed(4);
        CodePrior prior = build.get();
        try (NDManager parameters = NDManager.newBaseManager(CPU); Model djl = Model.newInstance("prior", CPU)) {
            prior.initialize(parameters);
            djl.setBlock(prior);
            Map<String, float[]> gradients = new LinkedHashMap<>();
            float loss;
            DefaultTrainingConfig config = new DefaultTrainingConfig(PriorTrainer.nllLoss())
                    .optOptimizer(new CheckpointableAdam(LEARNING_RATE)).optDevices(new Device[] {CPU});
            try (Trainer trainer = djl.newTrainer(config); NDManager stepManager = djl.getNDManager().newSubManager()) {
                loss = step.run(trainer, set.batch(stepManager, new int[] {0, 1, 2, 3, 4, 5, 6, 7}), (outputs, l) -> {
                    for (Pair<String, Parameter> p : prior.getParameters()) {
                        if (p.getValue().requiresGradient()) {
                            gradients.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
                        }
                    }
                });
            }
            Map<String, float[]> values = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : prior.getParameters()) {
                values.put(p.getKey(), p.getValue().getArray().toFloatArray());
            }
            return new Result(loss, gradients, values);
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
