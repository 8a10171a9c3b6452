package org.vqvae.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

/**
 * The sub-pixel form, in both its crops, against a transposed convolution computed by its
 * definition: the output and the gradients of {@code sum(y * g)} with respect to the input, the
 * weight and the bias.
 */
class UpsampleConvTest {

    private static final int N = 2;
    private static final int C = 3;
    private static final int F = 2;
    private static final int H = 3;
    private static final int W = 4;

    /** The definition's output and gradients: {@code {y, dx, dw, db}}. */
    private static float[][] definition(float[] x, float[] w, float[] b, float[] g) {
        float[] y = new float[N * F * 4 * H * W];
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
                                    // y[n, f, o, p] += x[n, c, i, j] w[c, f, ky, kx] with o = 2i - 1 + ky, p = 2j - 1 + kx
                                    int o = 2 * i - 1 + ky;
                                    int p = 2 * j - 1 + kx;
                                    if (o < 0 || o >= 2 * H || p < 0 || p >= 2 * W) {
                                        continue;
                                    }
                                    int t = ((n * F + f) * 2 * H + o) * 2 * W + p;
                                    int xi = ((n * C + c) * H + i) * W + j;
                                    int wi = ((c * F + f) * 4 + ky) * 4 + kx;
                                    y[t] += x[xi] * w[wi];
                                    gx[xi] += w[wi] * g[t];
                                    gw[wi] += x[xi] * g[t];
                                }
                            }
                        }
                    }
                }
            }
        }
        return new float[][] {y, gx, gw, gb};
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void inferenceEqualsTransposedConvolutionByDefinition() {
        Random r = new Random(3);
        float[] x = random(r, N * C * H * W);
        float[] w = random(r, C * F * 16);
        float[] b = random(r, F);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = UpsampleConv.upsample(m.create(x, new Shape(N, C, H, W)), m.create(w, new Shape(C, F, 4, 4)),
                    m.create(b));
            assertEquals(new Shape(N, F, 2 * H, 2 * W), y.getShape());
            assertArrayEquals(definition(x, w, b, new float[N * F * 4 * H * W])[0], y.toFloatArray(), 1e-4f);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void outputAndGradientsMatchTheDefinition(boolean training) {
        Random r = new Random(4);
        float[] x = random(r, N * C * H * W);
        float[] w = random(r, C * F * 16);
        float[] b = random(r, F);
        float[] g = random(r, N * F * 4 * H * W);
        float[][] expected = definition(x, w, b, g);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xa = m.create(x, new Shape(N, C, H, W));
            NDArray wa = m.create(w, new Shape(C, F, 4, 4));
            NDArray ba = m.create(b);
            for (NDArray a : new NDArray[] {xa, wa, ba}) {
                a.setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = UpsampleConv.upsample(xa, wa, ba, training);
                assertEquals(new Shape(N, F, 2 * H, 2 * W), y.getShape());
                assertArrayEquals(expected[0], y.toFloatArray(), 1e-4f, "output");
                gc.backward(y.mul(m.create(g, y.getShape())).sum());
            }
            assertArrayEquals(expected[1], xa.getGradient().toFloatArray(), 1e-3f, "input gradient");
            assertArrayEquals(expected[2], wa.getGradient().toFloatArray(), 1e-3f, "weight gradient");
            assertArrayEquals(expected[3], ba.getGradient().toFloatArray(), 1e-3f, "bias gradient");
        }
    }
}
