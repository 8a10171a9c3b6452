package org.vqvae.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;


import java.util.Random;

/**
 * Exhaustive causality on a 5x5 map: changing the code at position q never changes the logits at
 * any position p <= q in raster order (both stacks, with class conditioning), and every position
 * does depend on every earlier one (no blind spot).
 */
class CausalityTest {

    private static final int H = 5;
    private static final int W = 5;
    private static final int K = 6;

    private static float[] logitsAt(float[] logits, int n, int pos) {
        float[] out = new float[K];
        for (int k = 0; k < K; k++) {
            out[k] = logits[((n * K + k) * H * W) + pos];
        }
        return out;
    }

    static java.util.stream.Stream<CodePrior> priors() {
        Engine.getInstance().setRandomSeed(11);
        return java.util.stream.Stream.of(
                new GatedPixelCnn(PixelCnnConfig.defaults(K, 3, H, W).withSize(8, 6, 3)),
                // attention in chunks of 7 queries: a chunk boundary falls inside rows
                new PixelSnail(PixelSnailConfig.defaults(K, 3, H, W).withSize(8, 2, 1).withAttentionChunk(7)),
                // a bottom prior: conditioned on a 1x1 map of the level above (fixed here), no attention
                new PixelSnail(PixelSnailConfig.defaults(K, 3, H, W).withSize(8, 3, 2).withAttention(0, 0, 0)
                        .conditionedOn(4, 1, 1)),
                // conditioned with attention
                new PixelSnail(PixelSnailConfig.defaults(K, 3, H, W).withSize(8, 1, 1).conditionedOn(4, 1, 1)));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("priors")
    void logitsNeverDependOnLaterPositionsAndSeeAllEarlierOnes(CodePrior prior) {
        Random r = new Random(1);
        try (NDManager m = NDManager.newBaseManager()) {
            prior.initialize(m);
            long[] base = new long[H * W];
            for (int i = 0; i < base.length; i++) {
                base[i] = r.nextInt(K);
            }
            NDArray labels = m.create(new long[] {2});
            NDArray cond = prior.conditionCodes() > 0 ? m.create(new long[] {3}, new Shape(1, 1, 1)) : null;
            float[] ref = prior.logits(m.create(base, new Shape(1, H, W)), labels, cond).toFloatArray();
            boolean[][] depends = new boolean[H * W][H * W];
            for (int q = 0; q < H * W; q++) {
                long[] changed = base.clone();
                changed[q] = (base[q] + 1 + r.nextInt(K - 1)) % K;
                float[] out = prior.logits(m.create(changed, new Shape(1, H, W)), labels, cond).toFloatArray();
                for (int p = 0; p < H * W; p++) {
                    float[] a = logitsAt(ref, 0, p);
                    float[] b = logitsAt(out, 0, p);
                    if (p <= q) {
                        assertArrayEquals(a, b, 0f, "logits at " + p + " changed with the code at " + q);
                    } else {
                        boolean same = true;
                        for (int k = 0; k < K; k++) {
                            same &= Math.abs(a[k] - b[k]) < 1e-7;
                        }
                        depends[p][q] = !same;
                    }
                }
            }
            // with 6 layers of kernel 3 every earlier position of a 5x5 map is in the receptive field
            for (int p = 0; p < H * W; p++) {
                for (int q = 0; q < p; q++) {
                    assertTrue(depends[p][q], "blind spot: position " + p + " ignores position " + q);
                }
            }
            // and the class conditions the very first position, which sees no code at all
            float[] other = prior.logits(m.create(base, new Shape(1, H, W)), m.create(new long[] {1}), cond)
                    .toFloatArray();
            float[] first0 = logitsAt(ref, 0, 0);
            float[] first1 = logitsAt(other, 0, 0);
            boolean differ = false;
            for (int k = 0; k < K; k++) {
                differ |= first0[k] != first1[k];
            }
            assertTrue(differ, "the class does not reach the first position");
            if (cond != null) {
                float[] otherCond = prior.logits(m.create(base, new Shape(1, H, W)), labels,
                        m.create(new long[] {0}, new Shape(1, 1, 1))).toFloatArray();
                boolean moved = false;
                for (int p = 0; p < H * W; p++) {
                    moved |= logitsAt(otherCond, 0, p)[0] != logitsAt(ref, 0, p)[0];
                }
                assertTrue(moved, "the conditioning codes do not reach the logits");
            }
        }
    }
}
