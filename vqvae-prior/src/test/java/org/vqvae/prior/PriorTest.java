package org.vqvae.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

class PriorTest {

    /** Four fixed 4x4 maps, one per class: a prior that learns must drive their NLL to ~0. */
    static CodeSet tinySet() {
        int n = 4;
        long[] codes = new long[n * 16];
        long[] labels = new long[n];
        for (int s = 0; s < n; s++) {
            labels[s] = s;
            for (int p = 0; p < 16; p++) {
                codes[s * 16 + p] = (s * 3 + p * (s + 1)) % 8;
            }
        }
        return new CodeSet(codes, labels, 4, 4);
    }

    @Test
    void aDivergingRunStopsWithOneLineAndKeepsItsLastFiniteCheckpoint(@TempDir Path out) throws Exception {
        Engine.getInstance().setRandomSeed(5);
        CodeSet set = tinySet();
        GatedPixelCnn prior = new GatedPixelCnn(PixelCnnConfig.defaults(8, 4, 4, 4).withSize(16, 2, 3));
        // Adam moves every weight by about the rate on its first step: 1e30 leaves no finite logit
        PriorTrainer trainer = new PriorTrainer(prior, 20, 4, 1e30f, 0, 1, out, new PrintStream(new ByteArrayOutputStream()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.train(set, set, Device.cpu()));
        assertTrue(e.getMessage().startsWith("training diverged: loss is "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        try (NDManager m = NDManager.newBaseManager()) {
            // the step whose loss was not finite made no checkpoint: what is left holds finite weights
            if (java.nio.file.Files.exists(out.resolve("checkpoint"))) {
                for (var p : Priors.load(out, m).getParameters()) {
                    float[] w = p.getValue().getArray().toFloatArray();
                    for (float v : w) {
                        assertTrue(Float.isFinite(v), p.getKey() + " holds " + v);
                    }
                }
            }
        }
    }

    @Test
    void overfitsATinyCodeSetToNearZeroNll(@TempDir Path out) throws Exception {
        Engine.getInstance().setRandomSeed(5);
        CodeSet set = tinySet();
        GatedPixelCnn prior = new GatedPixelCnn(PixelCnnConfig.defaults(8, 4, 4, 4).withSize(32, 5, 3));
        PriorTrainer.Result r = new PriorTrainer(prior, 300, 4, 3e-3f, 0, 300, out,
                new PrintStream(new ByteArrayOutputStream())).train(set, set, Device.cpu());
        assertTrue(r.testBitsPerCode() < 0.1, "bits/code after overfitting: " + r.testBitsPerCode());
        // the fitted prior reproduces each class's map by greedy-ish sampling at low temperature
        try (NDManager m = NDManager.newBaseManager()) {
            long[][] s = new PriorSampler(prior, 0.05f, 0, true).sample(new long[] {0, 1, 2, 3}, 9, m);
            for (int c = 0; c < 4; c++) {
                assertArrayEquals(set.codes().read(c, 1), s[c], "class " + c);
            }
        }
    }

    @Test
    void seededSamplingIsReproducibleAndTheFastSamplerMatchesTheNaiveOne() {
        Engine.getInstance().setRandomSeed(6);
        // 9 rows with a receptive field of 3 rows: the fast sampler really crops
        GatedPixelCnn prior = new GatedPixelCnn(PixelCnnConfig.defaults(16, 3, 9, 5).withSize(16, 3, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            prior.initialize(m);
            long[] classes = {0, 1, 2, 1};
            long[][] naive = new PriorSampler(prior, 1f, 0, false).sample(classes, 42, m);
            long[][] fast = new PriorSampler(prior, 1f, 0, true).sample(classes, 42, m);
            long[][] again = new PriorSampler(prior, 1f, 0, true).sample(classes, 42, m);
            long[][] other = new PriorSampler(prior, 1f, 0, true).sample(classes, 43, m);
            for (int s = 0; s < classes.length; s++) {
                assertArrayEquals(naive[s], fast[s], "sample " + s);
                assertArrayEquals(fast[s], again[s]);
            }
            assertFalse(Arrays.deepEquals(fast, other), "another seed gave the same samples");
            long[][] top1 = new PriorSampler(prior, 1f, 1, true).sample(classes, 1, m);
            long[][] top1b = new PriorSampler(prior, 1f, 1, true).sample(classes, 2, m);
            assertTrue(Arrays.deepEquals(top1, top1b), "top-1 sampling must be deterministic");
        }
    }

    @Test
    void badInputIsRefused(@TempDir Path out) {
        GatedPixelCnn prior = new GatedPixelCnn(PixelCnnConfig.defaults(8, 4, 4, 4).withSize(8, 2, 3));
        CodeSet set = tinySet();
        long[] codes = set.codes().read(0, set.count());
        codes[5] = 8;
        CodeSet bad = new CodeSet(codes, set.labels(), 4, 4);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PriorTrainer(prior, 1, 2, 1e-3f, 0, 1, out, quiet).train(bad, set, Device.cpu()));
        assertTrue(e.getMessage().contains("code 8, outside [0, 8)"), e.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            prior.initialize(m);
            IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                    () -> new PriorSampler(prior, 1f, 0, true).sample(new long[] {4}, 0, m));
            assertTrue(c.getMessage().contains("class 4 is outside the prior's [0, 4)"), c.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new PriorSampler(prior, 0f, 0, true));
        assertEquals(PixelCnnConfig.defaults(8, 4, 4, 4), PixelCnnConfig.fromJson(PixelCnnConfig.defaults(8, 4, 4, 4).toJson()));
    }
}
