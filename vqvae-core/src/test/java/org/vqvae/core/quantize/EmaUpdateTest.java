package org.vqvae.core.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.junit.jupiter.api.Test;

/** The EMA codebook update against numbers worked out by hand. */
class EmaUpdateTest {

    @Test
    void updateEqualsHandComputedValues() {
        // K = 2 codes, D = 1; three vectors: 1.0 and 3.0 go to code 0, 10.0 to code 1
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray codebook = m.create(new float[] {2f, 9f}, new Shape(2, 1));
            NDArray clusterSize = m.create(new float[] {1f, 0f});
            NDArray embedSum = m.create(new float[] {2f, 9f}, new Shape(2, 1));
            NDArray counts = m.create(new float[] {2f, 1f});
            NDArray sums = m.create(new float[] {4f, 10f}, new Shape(2, 1));
            EmaVectorQuantizer.update(codebook, clusterSize, embedSum, counts, sums, 0.9f, 0.1f);
            // N = 0.9 * [1, 0] + 0.1 * [2, 1] = [1.1, 0.1]; m = 0.9 * [2, 9] + 0.1 * [4, 10] = [2.2, 9.1]
            assertArrayEquals(new float[] {1.1f, 0.1f}, clusterSize.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {2.2f, 9.1f}, embedSum.toFloatArray(), 1e-6f);
            // total 1.2; N' = (N + 0.1) / (1.2 + 2 * 0.1) * 1.2 = [1.2, 0.2] / 1.4 * 1.2
            double n0 = 1.2 / 1.4 * 1.2;
            double n1 = 0.2 / 1.4 * 1.2;
            assertArrayEquals(new float[] {(float) (2.2 / n0), (float) (9.1 / n1)}, codebook.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void blockUpdatesOnlyWhenTraining() {
        EmaVectorQuantizer vq = EmaVectorQuantizer.emaBuilder().setNumCodes(4).setCodeDim(2).build();
        try (NDManager m = NDManager.newBaseManager()) {
            vq.initialize(m, DataType.FLOAT32, new Shape(1, 2, 3, 3));
            NDArray z = m.randomNormal(new Shape(2, 2, 3, 3));
            float[] before = vq.getCodebook().getArray().toFloatArray();
            ParameterStore ps = new ParameterStore(m, false);
            vq.forward(ps, new NDList(z), false);
            assertArrayEquals(before, vq.getCodebook().getArray().toFloatArray(), 0f);
            NDList out = vq.forward(ps, new NDList(z), true);
            assertFalse(java.util.Arrays.equals(before, vq.getCodebook().getArray().toFloatArray()));
            // running counts: decay times the initial pseudo-count of 1 per code, plus (1 - decay) times 18 vectors
            assertEquals(0.99f * 4 + 0.01f * 18, vq.getParameters().get("emaClusterSize").getArray().sum().getFloat(), 1e-4f);
            assertEquals(4, out.size());
        }
    }
}
