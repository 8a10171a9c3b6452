package org.vqvae.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

/**
 * Every variant against PyTorch's transposed convolution (4x4, stride 2, padding 1) by its
 * definition: the output, and the gradients of {@code sum(y * g)} with respect to the input, the
 * weight and the bias.
 */
class UpsampleVariantTest {

    private static final int N = 2;
    private static final int C = 3;
    private static final int F = 2;
    private static final int H = 3;
    private static final int W = 4;

    /** The output pixel that input pixel (i, j) reaches through tap (ky, kx), or -1 outside. */
    private static int target(int n, int f, int i, int j, int ky, int kx) {
        int o = 2 * i - 1 + ky;
        int p = 2 * j - 1 + kx;
        if (o < 0 || o >= 2 * H || p < 0 || p >= 2 * W) {
            return -1;
        }
        return ((n * F + f) * 2 * H + o) * 2 * W + p;
    }

    private static int xi(int n, int c, int i, int j) {
        return ((n * C + c) * H + i) * W + j;
    }

    private static int wi(int c, int f, int ky, int kx) {
        return ((c * F + f) * 4 + ky) * 4 + kx;
    }

    @ParameterizedTest
    @EnumSource(UpsampleVariant.class)
    void equalsTheDefinitionForwardAndBackward(UpsampleVariant variant) {
        Random r = new Random(5);
        float[] x = random(r, N * C * H * W);
        float[] w = random(r, C * F * 16);
        float[] b = random(r, F);
        float[] g = random(r, N * F * 4 * H * W);
        float[] y = new float[g.length];
        float[] gx = new float[x.length];
        float[] gw = new float[w.length];
        float[] gb = new float[F];
        for (int n = 0; n < N; n++) {
            for (int f = 0; f < F; f++) {
                for (int k = 0; k < 4 * H * W; k++) {
                    y[(n * F + f) * 4 * H * W + k] = b[f];
                    gb[f] += g[(n * F + f) * 4 * H * W + k];
                }
                for (int c = 0; c < C; c++) {
                    for (int i = 0; i < H; i++) {
                        for (int j = 0; j < W; j++) {
                            for (int ky = 0; ky < 4; ky++) {
                                for (int kx = 0; kx < 4; kx++) {
                                    int t = target(n, f, i, j, ky, kx);
                                    if (t >= 0) {
                                        y[t] += x[xi(n, c, i, j)] * w[wi(c, f, ky, kx)];
                                        gx[xi(n, c, i, j)] += w[wi(c, f, ky, kx)] * g[t];
                                        gw[wi(c, f, ky, kx)] += x[xi(n, c, i, j)] * g[t];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xa = m.create(x, new Shape(N, C, H, W));
            NDArray wa = m.create(w, new Shape(C, F, 4, 4));
            NDArray ba = m.create(b);
            xa.setRequiresGradient(true);
            wa.setRequiresGradient(true);
            ba.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = variant.apply(xa, wa, ba);
                assertEquals(new Shape(N, F, 2 * H, 2 * W), out.getShape());
                assertArrayEquals(y, out.toFloatArray(), 1e-4f, "output");
                gc.backward(out.mul(m.create(g, out.getShape())).sum());
            }
            assertArrayEquals(gx, xa.getGradient().toFloatArray(), 1e-3f, "input gradient");
            assertArrayEquals(gw, wa.getGradient().toFloatArray(), 1e-3f, "weight gradient");
            assertArrayEquals(gb, ba.getGradient().toFloatArray(), 1e-3f, "bias gradient");
        }
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
