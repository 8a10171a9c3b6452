package org.vqvae.core.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

class CodebookHealthTest {

    /** Rows of a [1, D, 1, M] map as a set of strings, to find codebook rows among them. */
    private static Set<String> rows(float[] map, int d, int m) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < m; i++) {
            float[] r = new float[d];
            for (int j = 0; j < d; j++) {
                r[j] = map[j * m + i];
            }
            out.add(java.util.Arrays.toString(r));
        }
        return out;
    }

    @Test
    void deadCodesAreRestartedFromTheBatch() {
        for (boolean ema : new boolean[] {false, true}) {
            Engine.getInstance().setRandomSeed(3);
            VectorQuantizer vq = ema
                    ? EmaVectorQuantizer.emaBuilder().setNumCodes(8).setCodeDim(2).optRestartAfter(3).build()
                    : VectorQuantizer.builder().setNumCodes(8).setCodeDim(2).optRestartAfter(3).build();
            try (NDManager m = NDManager.newBaseManager()) {
                vq.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 6));
                // all six vectors sit far out at (10 + i, 10): one code wins them all, seven go unused
                float[] z = new float[12];
                for (int i = 0; i < 6; i++) {
                    z[i] = 10 + i;
                    z[6 + i] = 10;
                }
                NDArray map = m.create(z, new Shape(1, 2, 1, 6));
                ParameterStore ps = new ParameterStore(m, false);
                for (int step = 0; step < 2; step++) {
                    vq.forward(ps, new NDList(map), true);
                    assertEquals(0, vq.getLastRestarts(), "restarted before the threshold");
                }
                vq.forward(ps, new NDList(map), true);
                assertEquals(7, vq.getLastRestarts(), ema ? "ema" : "gradient");
                float[] book = vq.getCodebook().getArray().toFloatArray();
                Set<String> batch = rows(z, 2, 6);
                int fromBatch = 0;
                for (int k = 0; k < 8; k++) {
                    if (batch.contains(java.util.Arrays.toString(new float[] {book[2 * k], book[2 * k + 1]}))) {
                        fromBatch++;
                    }
                }
                assertTrue(fromBatch >= 7, "restarted codes must be batch vectors, found " + fromBatch);
                // the restarted codes now win some of the vectors
                long[] codes = vq.forward(ps, new NDList(map), false).get(1).toLongArray();
                assertTrue(java.util.Arrays.stream(codes).distinct().count() > 1);
            }
        }
    }

    /**
     * A resumed run's engine random stream is not where the uninterrupted run's was at that step, so
     * the restart draw must depend on the step's state alone: the same codebook, ages and batch give
     * the same restarted codebook whatever the engine drew before.
     */
    @Test
    void restartDrawsDependOnTheStateNotOnTheEnginesRandomStream() {
        float[][] books = new float[2][];
        for (int run = 0; run < 2; run++) {
            Engine.getInstance().setRandomSeed(5);
            VectorQuantizer vq = VectorQuantizer.builder().setNumCodes(8).setCodeDim(2).optRestartAfter(1).build();
            try (NDManager m = NDManager.newBaseManager()) {
                vq.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 6));
                // the second run has drawn more from the engine's stream before the step
                m.randomUniform(0, 1, new Shape(run * 1000 + 1));
                float[] z = new float[12];
                for (int i = 0; i < 6; i++) {
                    z[i] = 10 + i;
                    z[6 + i] = -10 + i;
                }
                vq.forward(new ParameterStore(m, false), new NDList(m.create(z, new Shape(1, 2, 1, 6))), true);
                assertTrue(vq.getLastRestarts() > 0, "the step restarts codes");
                books[run] = vq.getCodebook().getArray().toFloatArray();
            }
        }
        assertArrayEquals(books[0], books[1]);
    }

    @Test
    void kMeansPlusPlusFindsSeparatedClusters() {
        Random r = new Random(1);
        float[][] centres = {{0, 0}, {10, 0}, {0, 10}};
        int m = 300;
        float[] data = new float[m * 2];
        for (int i = 0; i < m; i++) {
            data[2 * i] = centres[i % 3][0] + (float) r.nextGaussian() * 0.1f;
            data[2 * i + 1] = centres[i % 3][1] + (float) r.nextGaussian() * 0.1f;
        }
        float[] found = KMeans.fit(data, m, 2, 3, 5, new Random(2));
        for (float[] c : centres) {
            double best = Double.MAX_VALUE;
            for (int k = 0; k < 3; k++) {
                best = Math.min(best, Math.hypot(found[2 * k] - c[0], found[2 * k + 1] - c[1]));
            }
            assertTrue(best < 0.1, "no centre near " + java.util.Arrays.toString(c));
        }
    }

    @Test
    void kMeansInitUsesTheFirstBatchOnceAndIsSaved() {
        Engine.getInstance().setRandomSeed(4);
        VectorQuantizer vq = VectorQuantizer.builder().setNumCodes(2).setCodeDim(1).optKMeansInit(true).build();
        try (NDManager m = NDManager.newBaseManager()) {
            vq.initialize(m, DataType.FLOAT32, new Shape(1, 1, 1, 4));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray z = m.create(new float[] {-5, -5, 5, 5}, new Shape(1, 1, 1, 4));
            vq.forward(ps, new NDList(z), false);
            assertTrue(Math.abs(vq.getCodebook().getArray().toFloatArray()[0]) < 1, "seeded outside training");
            vq.forward(ps, new NDList(z), true);
            float[] book = vq.getCodebook().getArray().toFloatArray();
            java.util.Arrays.sort(book);
            assertArrayEquals(new float[] {-5, 5}, book, 1e-4f);
            assertEquals(1f, vq.getParameters().get("kmeansSeeded").getArray().getFloat(0));
        }
    }
}
