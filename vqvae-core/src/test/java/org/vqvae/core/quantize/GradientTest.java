package org.vqvae.core.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;

import java.util.Random;

/** Gradients of the quantizer against hand-made ones (paper eq. 3 and the straight-through rule). */
class GradientTest {

    private static final int N = 2;
    private static final int D = 3;
    private static final int H = 2;
    private static final int W = 2;
    private static final int K = 5;

    private final Random rnd = new Random(7);

    private float[] random(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    /** z[n, d, h, w] of the map, as row (n, h, w) and column d of the flat view. */
    private static int mapIndex(int row, int d) {
        int n = row / (H * W);
        int hw = row % (H * W);
        return ((n * D + d) * H + hw / W) * W + hw % W;
    }

    @Test
    void reconstructionGradientReachesEncoderUnchanged() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(random(N * D * H * W), new Shape(N, D, H, W));
            NDArray e = m.create(random(K * D), new Shape(K, D));
            float[] r = random(N * D * H * W);
            z.setRequiresGradient(true);
            e.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray st = Codebooks.quantize(z, e).straightThrough();
                gc.backward(st.mul(m.create(r, new Shape(N, D, H, W))).sum());
            }
            assertArrayEquals(r, z.getGradient().toFloatArray(), 0f);
            assertArrayEquals(new float[K * D], e.getGradient().toFloatArray(), 0f);
        }
    }

    @Test
    void straightThroughValueIsTheCodebookVector() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(random(N * D * H * W), new Shape(N, D, H, W));
            float[] ev = random(K * D);
            NDArray e = m.create(ev, new Shape(K, D));
            Quantization q = Codebooks.quantize(z, e);
            float[] st = q.straightThrough().toFloatArray();
            long[] codes = q.flatCodes().toLongArray();
            for (int row = 0; row < codes.length; row++) {
                for (int d = 0; d < D; d++) {
                    assertEquals(ev[(int) codes[row] * D + d], st[mapIndex(row, d)], 1e-6);
                }
            }
        }
    }

    @Test
    void codebookLossMovesOnlyTheCodebook() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] zv = random(N * D * H * W);
            float[] ev = random(K * D);
            NDArray z = m.create(zv, new Shape(N, D, H, W));
            NDArray e = m.create(ev, new Shape(K, D));
            z.setRequiresGradient(true);
            e.setRequiresGradient(true);
            long[] codes;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Quantization q = Codebooks.quantize(z, e);
                codes = q.flatCodes().toLongArray();
                gc.backward(q.codebookLoss());
            }
            // d/de_k mean((e_c(i) - z_i)^2) = sum over rows assigned to k of 2 (e_k - z_i) / (M D)
            int rows = N * H * W;
            float[] expected = new float[K * D];
            for (int row = 0; row < rows; row++) {
                int k = (int) codes[row];
                for (int d = 0; d < D; d++) {
                    expected[k * D + d] += 2 * (ev[k * D + d] - zv[mapIndex(row, d)]) / (rows * D);
                }
            }
            assertArrayEquals(expected, e.getGradient().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[zv.length], z.getGradient().toFloatArray(), 0f);
        }
    }

    @Test
    void commitmentLossMovesOnlyTheEncoder() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] zv = random(N * D * H * W);
            float[] ev = random(K * D);
            NDArray z = m.create(zv, new Shape(N, D, H, W));
            NDArray e = m.create(ev, new Shape(K, D));
            z.setRequiresGradient(true);
            e.setRequiresGradient(true);
            long[] codes;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Quantization q = Codebooks.quantize(z, e);
                codes = q.flatCodes().toLongArray();
                gc.backward(q.commitmentLoss().mul(0.25f));
            }
            int rows = N * H * W;
            float[] expected = new float[zv.length];
            for (int row = 0; row < rows; row++) {
                int k = (int) codes[row];
                for (int d = 0; d < D; d++) {
                    int at = mapIndex(row, d);
                    expected[at] = 0.25f * 2 * (zv[at] - ev[k * D + d]) / (rows * D);
                }
            }
            assertArrayEquals(expected, z.getGradient().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[ev.length], e.getGradient().toFloatArray(), 0f);
        }
    }
}
