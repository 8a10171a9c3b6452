package org.vqvae.prior.rosinality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.CodeSet;
import org.vqvae.prior.HierarchicalSampler;
import org.vqvae.prior.PriorSampler;
import org.vqvae.prior.PriorTrainer;
import org.vqvae.prior.Priors;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** What needs no PyTorch: causality, the loader's refusals, sampling, saving and loading. */
class RosinalityPixelSnailTest {

    /** A top prior: 6x6 codes, K = 10, attention, an output block. */
    static RosinalityPixelSnailConfig top(int side) {
        return new RosinalityPixelSnailConfig(10, side, side, 16, 3, 2, 1, 8, true, 8, 0.1f, 0, 0, 3, 1, 7, false);
    }

    /** A bottom prior over 2x the top's side, conditioned through 2 blocks, with or without attention. */
    static RosinalityPixelSnailConfig bottom(int side, boolean attention) {
        return new RosinalityPixelSnailConfig(10, side, side, 16, 3, 1, 2, 8, attention, 8, 0.1f, 2, 6, 3, 0, 256,
                false);
    }

    static RosinalityPixelSnail fresh(RosinalityPixelSnailConfig c, NDManager m, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        RosinalityPixelSnail p = new RosinalityPixelSnail(c).initialize(m);
        // biases and gains away from their initial 0 and 1, so that every term shows
        Random r = new Random(seed);
        for (Pair<String, Parameter> e : p.getParameters()) {
            NDArray a = e.getValue().getArray();
            if (!e.getKey().endsWith(".weight_v")) {
                float[] x = new float[(int) a.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (e.getKey().endsWith(".weight_g") ? 0.5 + r.nextDouble() : 0.1 * r.nextGaussian());
                }
                a.set(x);
            }
        }
        return p;
    }

    static long[] codes(int count, int k, int seed) {
        Random r = new Random(seed);
        long[] c = new long[count];
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextInt(k);
        }
        return c;
    }

    /**
     * Changes each position in turn: no logit at or before it moves; the one right of it (or below,
     * at the end of a row) does.
     */
    static void assertCausal(CodePrior p, NDManager m) {
        int h = p.height();
        int w = p.width();
        int positions = h * w;
        long[] base = codes(positions, p.numCodes(), 5);
        // map q changes position q; map `positions` is the unchanged one
        long[] batch = new long[(positions + 1) * positions];
        for (int q = 0; q <= positions; q++) {
            System.arraycopy(base, 0, batch, q * positions, positions);
            if (q < positions) {
                batch[q * positions + q] = (base[q] + 1) % p.numCodes();
            }
        }
        NDArray cond = null;
        if (p.conditionCodes() > 0) {
            int pc = p.conditionHeight() * p.conditionWidth();
            long[] one = codes(pc, p.conditionCodes(), 6);
            long[] all = new long[(positions + 1) * pc];
            for (int q = 0; q <= positions; q++) {
                System.arraycopy(one, 0, all, q * pc, pc);
            }
            cond = m.create(all, new Shape(positions + 1, p.conditionHeight(), p.conditionWidth()));
        }
        float[] logits = p.logits(m.create(batch, new Shape(positions + 1, h, w)), m.zeros(new Shape(positions + 1),
                ai.djl.ndarray.types.DataType.INT64), cond).toFloatArray();
        int k = p.numCodes();
        int per = k * positions;
        for (int q = 0; q < positions; q++) {
            for (int at = 0; at < positions; at++) {
                float diff = 0;
                for (int c = 0; c < k; c++) {
                    diff = Math.max(diff, Math.abs(logits[q * per + c * positions + at]
                            - logits[positions * per + c * positions + at]));
                }
                // the next position sees it (the one below at a row's end: rosinality's first row-above
                // convolution is kernel wide, so the next row's first positions can miss a row's last)
                int next = (q + 1) % w != 0 ? q + 1 : q + w;
                if (at <= q) {
                    assertTrue(diff < 1e-6, "changing position " + q + " moved the logits at " + at + " by " + diff);
                } else if (at == next) {
                    assertTrue(diff > 1e-6, "changing position " + q + " left the logits at " + at + " alone");
                }
            }
        }
    }

    @Test
    void logitsDependOnlyOnEarlierCodes() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertCausal(fresh(top(5), m, 1), m);
            assertCausal(fresh(bottom(6, false), m, 2), m);
            assertCausal(fresh(bottom(6, true), m, 3), m);
            assertCausal(fresh(bottom(6, true).withLegacyInplaceElu(true), m, 3), m);
        }
    }

    @Test
    void configRoundTripsThroughJsonAndIsInferredFromTheKeys() {
        for (RosinalityPixelSnailConfig c : List.of(top(6), bottom(8, false), bottom(8, true),
                RosinalityPixelSnailConfig.top(512, 32, 32), RosinalityPixelSnailConfig.bottom(512, 64, 64))) {
            assertEquals(c, RosinalityPixelSnailConfig.fromJson(c.toJson()));
            assertEquals(c.withLegacyInplaceElu(true),
                    RosinalityPixelSnailConfig.fromJson(c.withLegacyInplaceElu(true).toJson()));
            RosinalityPixelSnailConfig inferred = RosinalityPixelSnailConfig.inferFrom(
                    new RosinalityPixelSnail(c).stateDictShapes());
            assertEquals(c.withAttentionChunk(RosinalityPixelSnailConfig.CHUNK), inferred);
        }
        assertTrue(RosinalityPixelSnailConfig.top(512, 32, 32).toJson().contains("\"arch\": \"rosinality-pixelsnail\""));
    }

    /** The prior's own weights under their keys, plus the background buffer. */
    static Map<String, NDArray> stateDict(RosinalityPixelSnail p, NDManager m) {
        Map<String, NDArray> sd = new LinkedHashMap<>();
        RosinalityPixelSnailConfig c = p.getConfig();
        float[] bg = new float[2 * c.height() * c.width()];
        for (int i = 0; i < c.height(); i++) {
            for (int j = 0; j < c.width(); j++) {
                bg[i * c.width() + j] = (i - c.height() / 2f) / c.height();
                bg[c.height() * c.width() + i * c.width() + j] = (j - c.width() / 2f) / c.width();
            }
        }
        sd.put("background", m.create(bg, new Shape(1, 2, c.height(), c.width())));
        for (Pair<String, Parameter> e : p.getParameters()) {
            sd.put(e.getKey(), e.getValue().getArray().duplicate());
        }
        return sd;
    }

    @Test
    void loaderRefusesMissingExtraAndMisshapenKeysByName() {
        try (NDManager m = NDManager.newBaseManager()) {
            RosinalityPixelSnail p = fresh(top(6), m, 4);
            Map<String, NDArray> sd = stateDict(p, m);
            RosinalityPixelSnail copy = RosinalityPixelSnail.fromStateDict(sd, m);
            NDArray codes = m.create(codes(2 * 36, 10, 1), new Shape(2, 6, 6));
            NDArray labels = m.create(new long[] {0, 0});
            assertArrayEquals(p.logits(codes, labels).toFloatArray(), copy.logits(codes, labels).toFloatArray(), 1e-6f);

            Map<String, NDArray> missing = new LinkedHashMap<>(sd);
            missing.remove("blocks.1.causal_attention.value.weight_g");
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> RosinalityPixelSnail.fromStateDict(missing, m)).getMessage();
            assertTrue(msg.contains("no 'blocks.1.causal_attention.value.weight_g' (8, 1)"), msg);

            Map<String, NDArray> extra = new LinkedHashMap<>(sd);
            extra.put("blocks.0.extra.weight", m.zeros(new Shape(3)));
            msg = assertThrows(IllegalArgumentException.class, () -> RosinalityPixelSnail.fromStateDict(extra, m))
                    .getMessage();
            assertTrue(msg.contains("'blocks.0.extra.weight' (3)") && msg.contains("has no place for"), msg);

            Map<String, NDArray> shape = new LinkedHashMap<>(sd);
            shape.put("blocks.0.out_resblock.aux_conv.conv.weight_v", m.zeros(new Shape(16, 9, 1, 1)));
            msg = assertThrows(IllegalArgumentException.class, () -> RosinalityPixelSnail.fromStateDict(shape, m))
                    .getMessage();
            assertTrue(msg.contains("'blocks.0.out_resblock.aux_conv.conv.weight_v' is (16, 9, 1, 1)")
                    && msg.contains("needs (16, 8, 1, 1)"), msg);

            Map<String, NDArray> wrapped = new LinkedHashMap<>();
            sd.forEach((k, v) -> wrapped.put("module." + k, v));
            msg = assertThrows(IllegalArgumentException.class, () -> RosinalityPixelSnail.fromStateDict(wrapped, m))
                    .getMessage();
            assertTrue(msg.contains("'module.'"), msg);

            Map<String, NDArray> moved = new LinkedHashMap<>(sd);
            moved.put("background", sd.get("background").add(0.5f));
            msg = assertThrows(IllegalArgumentException.class, () -> RosinalityPixelSnail.fromStateDict(moved, m))
                    .getMessage();
            assertTrue(msg.contains("'background'"), msg);
        }
    }

    @Test
    void savesAsAnOrdinaryPriorDirectoryAndEvaluatesBitsPerCode(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            RosinalityPixelSnail p = fresh(bottom(6, false), m, 7);
            Checkpoint.save(dir, p, p.configJson(), null, 0);
            CodePrior loaded = Priors.load(dir, m);
            assertTrue(loaded instanceof RosinalityPixelSnail);
            assertEquals(p.getConfig(), ((RosinalityPixelSnail) loaded).getConfig());
            // labels of any class: the prior ignores them
            CodeSet set = new CodeSet(codes(3 * 36, 10, 8), new long[] {0, 4, 9}, 6, 6, codes(3 * 9, 10, 9), 3, 3);
            double bits = PriorTrainer.bitsPerCode(p, set, m);
            assertTrue(bits > 0 && bits < 20, "bits/code " + bits);
            assertEquals(bits, PriorTrainer.bitsPerCode(loaded, set, m), 1e-6);
        }
    }

    @Test
    void fineTunesWithThePriorTrainer(@TempDir Path dir) throws Exception {
        RosinalityPixelSnail p = new RosinalityPixelSnail(bottom(4, true));
        CodeSet set = new CodeSet(codes(4 * 16, 10, 20), new long[] {0, 1, 2, 3}, 4, 4, codes(4 * 4, 10, 21), 2, 2);
        double before;
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(22);
            p.initialize(m);
            before = PriorTrainer.bitsPerCode(p, set, m);
            PriorTrainer.Result r = new PriorTrainer(p, 10, 4, 1e-2f, 0, 10, dir,
                    new java.io.PrintStream(new java.io.ByteArrayOutputStream())).train(set, set, ai.djl.Device.cpu());
            // weight norm's g and v both learn, through dropout in training mode
            assertTrue(r.testBitsPerCode() < before - 0.2, "bits/code " + before + " -> " + r.testBitsPerCode());
        }
    }

    @Test
    void rowByRowLogitsMatchTheWholeMapAndSamplingRunsTopDown() {
        try (NDManager m = NDManager.newBaseManager()) {
            RosinalityPixelSnail b = fresh(bottom(6, true), m, 11);
            long[] labels = {0, 0};
            long[] codes = codes(2 * 36, 10, 12);
            long[] condition = codes(2 * 9, 10, 13);
            try (CodePrior.RowLogits fast = b.rowLogits(labels, condition, true, m);
                    CodePrior.RowLogits whole = b.rowLogits(labels, condition, false, m)) {
                for (int row : new int[] {0, 2, 5}) {
                    try (NDManager s = m.newSubManager()) {
                        assertArrayEquals(whole.logits(codes, row, s).toFloatArray(),
                                fast.logits(codes, row, s).toFloatArray(), 1e-5f, "row " + row);
                    }
                }
            }
            RosinalityPixelSnail t = fresh(top(2), m, 10);
            RosinalityPixelSnail small = fresh(bottom(4, false), m, 14);
            HierarchicalSampler both = new HierarchicalSampler(List.of(small, t), new float[] {1f, 1f},
                    new int[] {0, 0}, true);
            long[][][] sampled = both.sample(new long[] {0, 3}, 7, m);
            // level l draws with seed + l
            assertArrayEquals(new PriorSampler(t, 1f, 0, true).sample(new long[] {0, 3}, 8, m), sampled[1]);
            assertEquals(16, sampled[0][1].length);
        }
    }
}
