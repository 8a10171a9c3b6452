package org.vqvae.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;

class PixelSnailTest {

    @Test
    void chunkedAttentionEqualsOneChunk() {
        PixelSnailConfig base = PixelSnailConfig.defaults(10, 2, 6, 6).withSize(8, 1, 1);
        PixelSnail whole = new PixelSnail(base.withAttentionChunk(1000));
        PixelSnail chunked = new PixelSnail(base.withAttentionChunk(5));
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(21);
            whole.initialize(m);
            Engine.getInstance().setRandomSeed(21);
            chunked.initialize(m);
            Random r = new Random(2);
            long[] codes = new long[2 * 36];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = r.nextInt(10);
            }
            NDArray c = m.create(codes, new Shape(2, 6, 6));
            NDArray labels = m.create(new long[] {0, 1});
            assertArrayEquals(whole.logits(c, labels).toFloatArray(), chunked.logits(c, labels).toFloatArray(), 1e-5f);
        }
    }

    @Test
    void overfitsTinyCodesAndSamplesThemBackReproducibly(@TempDir Path out) throws Exception {
        Engine.getInstance().setRandomSeed(8);
        CodeSet set = PriorTest.tinySet();
        PixelSnail prior = new PixelSnail(PixelSnailConfig.defaults(8, 4, 4, 4).withSize(32, 2, 1));
        // at 3e-3 one run in 40 (seeds 0-39, 2 threads) overfit to ~0 bits/code and then diverged to
        // NaN near step 250; at 1e-3 all 40 ended at 0.005 bits/code or below
        PriorTrainer.Result r = new PriorTrainer(prior, 300, 4, 1e-3f, 0, 300, out,
                new PrintStream(new ByteArrayOutputStream())).train(set, set, Device.cpu());
        assertTrue(r.testBitsPerCode() < 0.1, "bits/code after overfitting: " + r.testBitsPerCode());
        try (NDManager m = NDManager.newBaseManager()) {
            long[][] fast = new PriorSampler(prior, 0.05f, 0, true).sample(new long[] {0, 1, 2, 3}, 9, m);
            long[][] naive = new PriorSampler(prior, 0.05f, 0, false).sample(new long[] {0, 1, 2, 3}, 9, m);
            for (int c = 0; c < 4; c++) {
                assertArrayEquals(set.codes().read(c, 1), fast[c], "class " + c);
                assertArrayEquals(naive[c], fast[c]);
            }
            CodePrior loaded = Priors.load(out, m);
            assertTrue(loaded instanceof PixelSnail);
            assertTrue(Math.abs(PriorTrainer.bitsPerCode(loaded, set, m) - r.testBitsPerCode()) < 1e-4);
        }
    }
}
