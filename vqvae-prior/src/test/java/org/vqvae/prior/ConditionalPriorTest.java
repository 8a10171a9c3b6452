package org.vqvae.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.Random;

/**
 * VQ-VAE-2's bottom prior: conditioned on the code map of the level above. It must really use that
 * map, sample the same codes with the cache as with full recomputation, and refuse what does not fit.
 */
class ConditionalPriorTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    /**
     * Bottom 4x4 maps over 8 codes whose every 2x2 block is {@code 2 * top + noise bit}, under a
     * random 2x2 top map over 4 codes: given the top, a bottom code carries 1 bit; without it, 3.
     */
    static CodeSet[] levels(int n, long seed) {
        Random r = new Random(seed);
        long[] top = new long[n * 4];
        long[] bottom = new long[n * 16];
        long[] labels = new long[n];
        for (int s = 0; s < n; s++) {
            labels[s] = s % 2;
            for (int p = 0; p < 4; p++) {
                top[s * 4 + p] = r.nextInt(4);
            }
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    bottom[s * 16 + i * 4 + j] = 2 * top[s * 4 + (i / 2) * 2 + j / 2] + r.nextInt(2);
                }
            }
        }
        CodeSet t = new CodeSet(top, labels, 2, 2);
        return new CodeSet[] {new CodeSet(bottom, labels, 4, 4).conditionedOn(t), t};
    }

    @Test
    void theBottomPriorUsesTheTopCodes(@TempDir Path out) throws Exception {
        Engine.getInstance().setRandomSeed(3);
        CodeSet train = levels(512, 1)[0];
        CodeSet test = levels(128, 2)[0];
        PixelSnail prior = new PixelSnail(PixelSnailConfig.defaults(8, 2, 4, 4).withSize(32, 1, 2)
                .withAttention(0, 0, 0).conditionedOn(4, 2, 2));
        PriorTrainer.Result r = new PriorTrainer(prior, 150, 32, 3e-3f, 0, 150, out, QUIET).train(train, test,
                Device.cpu());
        // shuffle which image's top map goes with which bottom map
        long[] top = test.condition().read(0, test.count());
        long[] shuffled = new long[top.length];
        for (int s = 0; s < test.count(); s++) {
            int from = (s + 1) % test.count();
            System.arraycopy(top, from * 4, shuffled, s * 4, 4);
        }
        CodeSet wrong = new CodeSet(test.codes(), test.labels(), CodeMaps.of(shuffled, 2, 2));
        try (NDManager m = NDManager.newBaseManager()) {
            double right = PriorTrainer.bitsPerCode(prior, test, m);
            double mismatched = PriorTrainer.bitsPerCode(prior, wrong, m);
            assertTrue(right < 1.4, "bits/code with the true top codes: " + right);
            assertTrue(mismatched > right + 1, "with shuffled top codes " + mismatched + " vs " + right);
            assertTrue(Math.abs(right - r.testBitsPerCode()) < 1e-4);
        }
    }

    @Test
    void cachedSamplingMatchesFullRecomputation() {
        Engine.getInstance().setRandomSeed(4);
        // 6x5 map, attention chunks of 4 queries, conditioned on a 3x5 map; two blocks of two layers
        PixelSnail prior = new PixelSnail(PixelSnailConfig.defaults(12, 3, 6, 5).withSize(16, 2, 2)
                .withAttentionChunk(4).conditionedOn(5, 3, 5));
        try (NDManager m = NDManager.newBaseManager()) {
            prior.initialize(m);
            long[] classes = {0, 2, 1};
            Random r = new Random(5);
            long[][] cond = new long[3][15];
            for (long[] c : cond) {
                for (int i = 0; i < c.length; i++) {
                    c[i] = r.nextInt(5);
                }
            }
            long[][] full = new PriorSampler(prior, 1f, 0, false).sample(classes, cond, 42, m);
            long[][] cached = new PriorSampler(prior, 1f, 0, true).sample(classes, cond, 42, m);
            long[][] again = new PriorSampler(prior, 1f, 0, true).sample(classes, cond, 42, m);
            long[][] other = new PriorSampler(prior, 1f, 0, true).sample(classes, cond, 43, m);
            for (int s = 0; s < classes.length; s++) {
                assertArrayEquals(full[s], cached[s], "sample " + s);
                assertArrayEquals(cached[s], again[s]);
            }
            assertFalse(Arrays.deepEquals(cached, other), "another seed gave the same samples");
        }
    }

    @Test
    void mismatchedLevelsAreRefused(@TempDir Path out) {
        CodeSet[] lv = levels(8, 1);
        CodeSet bottom = lv[0];
        CodeSet top = lv[1];
        PixelSnail conditioned = new PixelSnail(PixelSnailConfig.defaults(8, 2, 4, 4).withSize(8, 1, 1)
                .conditionedOn(4, 2, 2));
        PixelSnail unconditioned = new PixelSnail(PixelSnailConfig.defaults(8, 2, 4, 4).withSize(8, 1, 1));
        PixelSnail otherK = new PixelSnail(PixelSnailConfig.defaults(8, 2, 4, 4).withSize(8, 1, 1)
                .conditionedOn(3, 2, 2));
        PixelSnail otherSize = new PixelSnail(PixelSnailConfig.defaults(8, 2, 4, 4).withSize(8, 1, 1)
                .conditionedOn(4, 1, 1));
        CodeSet plain = new CodeSet(bottom.codes(), bottom.labels(), null);
        assertMessage(() -> train(conditioned, plain, out), "carry no codes of it");
        assertMessage(() -> train(unconditioned, bottom, out), "not conditioned");
        assertMessage(() -> train(otherK, bottom, out), "outside [0, 3)");
        assertMessage(() -> train(otherSize, bottom, out), "conditioned on 2x2 maps but the prior on 1x1");
        assertMessage(() -> train(new PixelSnail(PixelSnailConfig.defaults(4, 2, 2, 2).withSize(8, 1, 1)), bottom,
                out), "4x4 maps but the prior models 2x2");
        assertMessage(() -> bottom.conditionedOn(levels(9, 1)[1]), "not the same images");
        assertMessage(() -> PixelSnailConfig.defaults(8, 2, 4, 4).conditionedOn(4, 3, 3).validate(),
                "must evenly divide");
        try (NDManager m = NDManager.newBaseManager()) {
            conditioned.initialize(m);
            assertMessage(() -> new PriorSampler(conditioned, 1f, 0, true).sample(new long[] {0}, 1, m),
                    "pass one per sample");
            assertMessage(() -> new PriorSampler(conditioned, 1f, 0, true).sample(new long[] {0},
                    new long[][] {{0, 1, 2, 4}}, 1, m), "conditioning code 4 is outside [0, 4)");
            assertMessage(() -> new PriorSampler(conditioned, 1f, 0, true).sample(new long[] {0},
                    new long[][] {{0, 1, 2}}, 1, m), "has 3 codes, expected 4");
        }
        assertTrue(top.count() == 8);
    }

    private static void train(CodePrior prior, CodeSet set, Path out) throws Exception {
        new PriorTrainer(prior, 1, 2, 1e-3f, 0, 1, out, QUIET).train(set, set, Device.cpu());
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable run, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
