package org.vqvae.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.TrainingOptions;
import org.vqvae.core.train.TrainingSummary;
import org.vqvae.core.train.VqVaeTrainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

class VqVae2Test {

    private static VqVae2Config small(int size, int levels) {
        return VqVae2Config.defaults(3, size, size, levels).withSizes(16, 8, 1, 32, 8);
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64, 128, 256})
    void codeMapShapesPerLevel(int size) {
        Engine.getInstance().setRandomSeed(1);
        VqVae2 model = new VqVae2(small(size, 2));
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            NDArray x = m.randomUniform(-0.5f, 0.5f, new Shape(2, 3, size, size));
            NDList codes = model.encodeLevels(x);
            assertEquals(new Shape(2, size / 4, size / 4), codes.get(0).getShape());
            assertEquals(new Shape(2, size / 8, size / 8), codes.get(1).getShape());
            assertEquals(new Shape(2, 3, size, size), model.decodeLevels(codes).getShape());
        }
    }

    @Test
    void threeLevelsAndDecodeOfEncodeEqualsForward(@TempDir Path dir) throws Exception {
        Engine.getInstance().setRandomSeed(2);
        VqVae2 model = new VqVae2(small(64, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            NDArray x = m.randomUniform(-0.5f, 0.5f, new Shape(2, 3, 64, 64));
            NDList out = model.forward(new ParameterStore(m, false), new NDList(x), false);
            assertEquals(2 + 3 + 3, out.size());
            assertEquals(new Shape(2, 4, 4), out.get(CodeModel.CODES + 2).getShape());
            NDArray viaCodes = model.decodeLevels(model.encodeLevels(x));
            assertArrayEquals(out.get(0).toFloatArray(), viaCodes.toFloatArray(), 1e-5f);
            assertEquals("middle", model.levelName(1));
            // save and load give identical outputs
            Checkpoint.save(dir, model, null, 0);
            CodeModel loaded = Checkpoint.loadAny(dir, m);
            assertTrue(loaded instanceof VqVae2);
            assertArrayEquals(viaCodes.toFloatArray(), loaded.reconstruct(x).toFloatArray(), 1e-6f);
            assertEquals(model.getConfig(), VqVae2Config.fromJson(model.getConfig().toJson()));
        }
    }

    /** 32x32 colour images: a coloured background with a lighter square of random place and size. */
    static ImageSet squares(int n, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * 3 * 32 * 32];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int[] bg = {r.nextInt(200), r.nextInt(200), r.nextInt(200)};
            int x0 = r.nextInt(20);
            int y0 = r.nextInt(20);
            int s = 6 + r.nextInt(8);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        boolean in = x >= x0 && x < x0 + s && y >= y0 && y < y0 + s;
                        px[((i * 3 + c) * 32 + y) * 32 + x] = (byte) (in ? 255 - bg[c] / 4 : bg[c]);
                    }
                }
            }
        }
        return new ImageSet(px, labels, n, 3, 32, 32);
    }

    @Test
    void shortTrainingLearnsAndAllLevelsBeatTheTopAlone(@TempDir Path out) throws Exception {
        Engine.getInstance().setRandomSeed(3);
        DataSpec.Splits<ImageSet> data = new DataSpec.Splits<>(squares(512, 1), squares(128, 2), null);
        VqVae2Config config = VqVae2Config.defaults(3, 32, 32, 2).withSizes(32, 16, 1, 64, 16).withCodebookHealth(20, false);
        VqVae2 model = new VqVae2(config);
        TrainingOptions options = new TrainingOptions(500, 32, 1e-3f, 0, 500, out, false);
        TrainingSummary s = new VqVaeTrainer(model, options, new PrintStream(new ByteArrayOutputStream()))
                .train(data, "squares", Device.cpu());
        double baseline = data.train().meanImageMse(data.test());
        // runs differ (multi-threaded float sums meet discrete code choices): some reach 0.005 by
        // step 800, others still sit on the 0.02-0.03 plateau of background-only codes; both are
        // well under half the mean-image error
        assertTrue(s.testMse() < 0.5 * baseline, "mse " + s.testMse() + " vs mean image " + baseline);
        assertEquals(2, s.levelPerplexity().length);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = data.test().toImages(m);
            double all = model.reconstructFromLevels(x, List.of(0, 1)).sub(x).square().mean().getFloat();
            double top = model.reconstructFromLevels(x, List.of(1)).sub(x).square().mean().getFloat();
            assertTrue(all < top, "all levels " + all + " vs top alone " + top);
            assertEquals(s.testMse(), all, 1e-4);
        }
    }
}
