package org.vqvae.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;

import java.util.Random;

/** The sub-pixel form against a transposed convolution computed by its definition. */
class UpsampleConvTest {

    private static final int N = 2;
    private static final int C = 3;
    private static final int F = 2;
    private static final int H = 3;
    private static final int W = 4;

    /** y[n, f, o, p] = b[f] + sum over i, j, c with o = 2i - 1 + ky, p = 2j - 1 + kx of x[n, c, i, j] w[c, f, ky, kx]. */
    private static float[] bruteForce(float[] x, float[] w, float[] b) {
        float[] y = new float[N * F * 2 * H * 2 * W];
        for (int n = 0; n < N; n++) {
            for (int f = 0; f < F; f++) {
                for (int o = 0; o < 2 * H; o++) {
                    for (int p = 0; p < 2 * W; p++) {
                        y[((n * F + f) * 2 * H + o) * 2 * W + p] = b[f];
                    }
                }
                for (int c = 0; c < C; c++) {
                    for (int i = 0; i < H; i++) {
                        for (int j = 0; j < W; j++) {
                            for (int ky = 0; ky < 4; ky++) {
                                for (int kx = 0; kx < 4; kx++) {
                                    int o = 2 * i - 1 + ky;
                                    int p = 2 * j - 1 + kx;
                                    if (o < 0 || o >= 2 * H || p < 0 || p >= 2 * W) {
                                        continue;
                                    }
                                    y[((n * F + f) * 2 * H + o) * 2 * W + p] +=
                                            x[((n * C + c) * H + i) * W + j] * w[((c * F + f) * 4 + ky) * 4 + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void equalsTransposedConvolutionByDefinition() {
        Random r = new Random(3);
        float[] x = random(r, N * C * H * W);
        float[] w = random(r, C * F * 16);
        float[] b = random(r, F);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = UpsampleConv.upsample(m.create(x, new Shape(N, C, H, W)), m.create(w, new Shape(C, F, 4, 4)),
                    m.create(b));
            assertEquals(new Shape(N, F, 2 * H, 2 * W), y.getShape());
            assertArrayEquals(bruteForce(x, w, b), y.toFloatArray(), 1e-4f);
        }
    }

    @Test
    void gradientOfTheWeightMatchesTheDefinition() {
        // d/dw sum(y * g): for each tap, the sum of x * g over the pixel pairs it connects
        Random r = new Random(4);
        float[] x = random(r, N * C * H * W);
        float[] w = random(r, C * F * 16);
        float[] g = random(r, N * F * 4 * H * W);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray wa = m.create(w, new Shape(C, F, 4, 4));
            wa.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = UpsampleConv.upsample(m.create(x, new Shape(N, C, H, W)), wa, null);
                gc.backward(y.mul(m.create(g, y.getShape())).sum());
            }
            float[] expected = new float[w.length];
            for (int c = 0; c < C; c++) {
                for (int f = 0; f < F; f++) {
                    for (int ky = 0; ky < 4; ky++) {
                        for (int kx = 0; kx < 4; kx++) {
                            // perturbing one tap: brute-force linearity
                            float[] unit = new float[w.length];
                            unit[((c * F + f) * 4 + ky) * 4 + kx] = 1f;
                            float[] y = bruteForce(x, unit, new float[F]);
                            double s = 0;
                            for (int i = 0; i < y.length; i++) {
                                s += y[i] * g[i];
                            }
                            expected[((c * F + f) * 4 + ky) * 4 + kx] = (float) s;
                        }
                    }
                }
            }
            assertArrayEquals(expected, wa.getGradient().toFloatArray(), 1e-3f);
        }
    }
}
