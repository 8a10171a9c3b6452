package org.vqvae.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

import org.vqvae.core.model.UpsampleConv;

/**
 * Ways to compute PyTorch's {@code conv_transpose2d(x, w, b, stride 2, padding 1)} with a 4x4
 * kernel through DJL's NDArray API, each exact (forward and gradients), differing in FLOPs and in
 * how many times the output is copied. {@link UpsampleBenchmark} times them.
 *
 * <p>All rest on the sub-pixel identity: output pixel {@code (2m + a, 2n + b)} sees input rows
 * {@code m - 1 + a, m + a} and columns {@code n - 1 + b, n + b} through the taps of its phase
 * {@code (a, b)}, a 2x2 convolution per phase.
 */
public enum UpsampleVariant {

    /**
     * What {@link UpsampleConv} computes: {@link #SHIFTED} in inference, {@link #SHIFTED_PAD} when
     * gradients are recorded (here: when the input or the weight requires one).
     */
    ADOPTED {
        @Override
        public NDArray apply(NDArray x, NDArray w, NDArray b) {
            return UpsampleConv.upsample(x, w, b, x.hasGradient() || w.hasGradient());
        }
    },

    /**
     * The form before: one 2x2 convolution (padding 1) to 4F channels on the {@code (H+1)x(W+1)}
     * grid, four phase slices, two nested stacks (the output copied twice).
     */
    STACKED {
        @Override
        public NDArray apply(NDArray x, NDArray w, NDArray b) {
            long n = x.getShape().get(0);
            long h = x.getShape().get(2);
            long wd = x.getShape().get(3);
            long f = w.getShape().get(1);
            NDArray out = conv(x, phaseKernels(w, x), tiledBias(b, x), 1)
                    .reshape(n, 2, 2, f, h + 1, wd + 1);
            NDList rows = new NDList(2);
            for (int a = 0; a < 2; a++) {
                NDList cols = new NDList(2);
                for (int bb = 0; bb < 2; bb++) {
                    cols.add(out.get(new NDIndex(":, {}, {}, :, {}:{}, {}:{}", a, bb, a, a + h, bb, bb + wd)));
                }
                rows.add(NDArrays.stack(cols, 4));
            }
            return NDArrays.stack(rows, 3).reshape(n, f, 2 * h, 2 * wd);
        }
    },

    /**
     * One 3x3 convolution (padding 1) to 4F channels, each phase's 2x2 taps placed at its offset
     * (2.25x the FLOPs), already aligned on the {@code HxW} grid; one depth-to-space copy.
     */
    CONV3X3 {
        @Override
        public NDArray apply(NDArray x, NDArray w, NDArray b) {
            long n = x.getShape().get(0);
            long h = x.getShape().get(2);
            long wd = x.getShape().get(3);
            long f = w.getShape().get(1);
            NDArray k = phaseKernels(w, x);
            NDList placed = new NDList(4);
            for (int p = 0; p < 4; p++) {
                int a = p / 2;
                int bb = p % 2;
                placed.add(k.get(new NDIndex("{}:{}", p * f, (p + 1) * f)).pad(new Shape(bb, 1 - bb, a, 1 - a), 0));
            }
            return depthToSpace(conv(x, NDArrays.concat(placed), tiledBias(b, x), 1), n, f, h, wd);
        }
    },

    /**
     * The 2x2 convolution on the {@code (H+1)x(W+1)} grid with the phases in reverse order, so that
     * one depth-to-space copy gives a {@code (2H+2)x(2W+2)} map whose centre, a view, is the output:
     * {@link UpsampleConv}'s inference form, called rather than written again.
     */
    SHIFTED {
        @Override
        public NDArray apply(NDArray x, NDArray w, NDArray b) {
            return UpsampleConv.upsample(x, w, b, false);
        }
    },

    /**
     * {@link #SHIFTED} with the centre cut out by a negative padding: a second copy forward, but
     * its backward is one padding (one fill and one copy) where the view's is two slices' (two of
     * each); {@link UpsampleConv}'s training form.
     */
    SHIFTED_PAD {
        @Override
        public NDArray apply(NDArray x, NDArray w, NDArray b) {
            return UpsampleConv.upsample(x, w, b, true);
        }
    },

    /**
     * As PyTorch computes a transposed convolution: one matrix product gives every kernel tap's
     * contribution, {@code [16F, C] x [C, HW]}, and the four taps of each phase are added at their
     * offsets into the phases on the {@code (H+1)x(W+1)} grid (col2im), interleaved as {@link
     * #SHIFTED} does. The product's output is 4x the output's size.
     */
    GEMM {
        @Override
        public NDArray apply(NDArray x, NDArray w, NDArray b) {
            long n = x.getShape().get(0);
            long c = x.getShape().get(1);
            long h = x.getShape().get(2);
            long wd = x.getShape().get(3);
            long f = w.getShape().get(1);
            NDManager m = x.getManager();
            long[] index = new long[16];
            int i = 0;
            for (int ty = 0; ty < 2; ty++) {
                for (int tx = 0; tx < 2; tx++) {
                    for (int p = 0; p < 4; p++) { // phases in reverse order, as SHIFTED's
                        index[i++] = TAPS[1 - p / 2][ty] * 4L + TAPS[1 - p % 2][tx];
                    }
                }
            }
            NDArray flat = w.reshape(c, f, 16);
            flat.attach(m);
            NDArray taps = flat.get(new NDIndex(":, :, {}", m.create(index)))
                    .reshape(c, f, 4, 4)
                    .transpose(2, 3, 1, 0)
                    .reshape(16 * f, c); // [window tap, phase, f] x C
            NDList parts = taps.matMul(x.reshape(n, c, h * wd)).reshape(n, 16 * f, h, wd).split(4, 1);
            NDArray grid = m.zeros(new Shape(n, 4 * f, h + 1, wd + 1), x.getDataType(), x.getDevice());
            for (int t = 0; t < 4; t++) {
                int ty = t / 2;
                int tx = t % 2;
                grid.get(new NDIndex(":, :, {}:{}, {}:{}", 1 - ty, 1 - ty + h, 1 - tx, 1 - tx + wd)).addi(parts.get(t));
            }
            if (b != null) {
                grid = grid.add(tiledBias(b, x).reshape(1, 4 * f, 1, 1));
            }
            NDArray out = depthToSpace(grid, n, f, h + 1, wd + 1);
            return out.get(new NDIndex(":, :, 1:{}, 1:{}", 2 * h + 1, 2 * wd + 1));
        }
    },

    /**
     * The 2x2 convolution on the {@code (H+1)x(W+1)} grid, each phase's window copied into its
     * strided place of an uninitialised output (one copy of the output, in four parts). Its
     * backward, through four in-place copies, took 130 s at the decoder's last site in one run:
     * left out of {@code bench/upsample.json}.
     */
    SHIFTED_SET {
        @Override
        public NDArray apply(NDArray x, NDArray w, NDArray b) {
            long n = x.getShape().get(0);
            long h = x.getShape().get(2);
            long wd = x.getShape().get(3);
            long f = w.getShape().get(1);
            NDArray out = conv(x, phaseKernels(w, x), tiledBias(b, x), 1)
                    .reshape(n, 2, 2, f, h + 1, wd + 1);
            NDArray y = x.getManager().create(new Shape(n, f, h, 2, wd, 2), x.getDataType(), x.getDevice());
            for (int a = 0; a < 2; a++) {
                for (int bb = 0; bb < 2; bb++) {
                    y.set(new NDIndex(":, :, :, {}, :, {}", a, bb),
                            out.get(new NDIndex(":, {}, {}, :, {}:{}, {}:{}", a, bb, a, a + h, bb, bb + wd)));
                }
            }
            return y.reshape(n, f, 2 * h, 2 * wd);
        }
    },

    /**
     * Four 2x2 convolutions (padding 1) to F channels, one per phase, each phase's window copied
     * into its strided place of an uninitialised output.
     */
    PHASES_SET {
        @Override
        public NDArray apply(NDArray x, NDArray w, NDArray b) {
            long n = x.getShape().get(0);
            long h = x.getShape().get(2);
            long wd = x.getShape().get(3);
            long f = w.getShape().get(1);
            NDArray k = phaseKernels(w, x);
            NDArray y = x.getManager().create(new Shape(n, f, h, 2, wd, 2), x.getDataType(), x.getDevice());
            for (int a = 0; a < 2; a++) {
                for (int bb = 0; bb < 2; bb++) {
                    int p = 2 * a + bb;
                    NDArray phase = conv(x, k.get(new NDIndex("{}:{}", p * f, (p + 1) * f)), b, 1);
                    y.set(new NDIndex(":, :, :, {}, :, {}", a, bb),
                            phase.get(new NDIndex(":, :, {}:{}, {}:{}", a, a + h, bb, bb + wd)));
                }
            }
            return y.reshape(n, f, 2 * h, 2 * wd);
        }
    },

    /**
     * Four 2x2 convolutions (no padding) to F channels on windows of the input padded once, one
     * stack of the phases, one depth-to-space copy.
     */
    PHASES_STACK {
        @Override
        public NDArray apply(NDArray x, NDArray w, NDArray b) {
            long n = x.getShape().get(0);
            long h = x.getShape().get(2);
            long wd = x.getShape().get(3);
            long f = w.getShape().get(1);
            NDArray k = phaseKernels(w, x);
            NDArray padded = x.pad(new Shape(1, 1, 1, 1), 0);
            NDList phases = new NDList(4);
            for (int a = 0; a < 2; a++) {
                for (int bb = 0; bb < 2; bb++) {
                    int p = 2 * a + bb;
                    NDArray window = padded.get(new NDIndex(":, :, {}:{}, {}:{}", a, a + h + 1, bb, bb + wd + 1));
                    phases.add(conv(window, k.get(new NDIndex("{}:{}", p * f, (p + 1) * f)), b, 0));
                }
            }
            return depthToSpace(NDArrays.stack(phases, 1), n, f, h, wd);
        }
    };

    /** Kernel rows (or columns) used by phase 0 and phase 1 for window taps 0 and 1. */
    private static final int[][] TAPS = {{3, 1}, {2, 0}};

    /**
     * Computes the transposed convolution.
     *
     * @param x {@code [N, C, H, W]}
     * @param w {@code [C, F, 4, 4]}
     * @param b {@code [F]} or null
     * @return {@code [N, F, 2H, 2W]}
     */
    public abstract NDArray apply(NDArray x, NDArray w, NDArray b);

    /**
     * The four phases' 2x2 kernels as one convolution weight {@code [4F, C, 2, 2]}, phase-major
     * ({@code (a, b)} = (0, 0), (0, 1), (1, 0), (1, 1)); the
     * temporaries go to {@code x}'s manager.
     */
    static NDArray phaseKernels(NDArray w, NDArray x) {
        NDManager m = x.getManager();
        long c = w.getShape().get(0);
        long f = w.getShape().get(1);
        long[] index = new long[16];
        int i = 0;
        for (int p = 0; p < 4; p++) {
            int a = p / 2;
            int bb = p % 2;
            for (int ty = 0; ty < 2; ty++) {
                for (int tx = 0; tx < 2; tx++) {
                    index[i++] = TAPS[a][ty] * 4L + TAPS[bb][tx];
                }
            }
        }
        NDArray flat = w.reshape(c, f, 16);
        flat.attach(m); // the step's temporaries, not the parameter's manager
        return flat.get(new NDIndex(":, :, {}", m.create(index)))
                .reshape(c, f, 4, 2, 2)
                .transpose(2, 1, 0, 3, 4)
                .reshape(4 * f, c, 2, 2);
    }

    private static NDArray tiledBias(NDArray b, NDArray x) {
        if (b == null) {
            return null;
        }
        NDArray tiled = b.tile(4);
        tiled.attach(x.getManager());
        return tiled;
    }

    private static NDArray conv(NDArray x, NDArray k, NDArray b, int pad) {
        return Conv2d.conv2d(x, k, b, new Shape(1, 1), new Shape(pad, pad), new Shape(1, 1)).singletonOrThrow();
    }

    /** {@code [N, 4F, h, w]} (phase-major channels) to {@code [N, F, 2h, 2w]}: one copy. */
    private static NDArray depthToSpace(NDArray phases, long n, long f, long h, long w) {
        return phases.reshape(n, 2, 2, f, h, w).transpose(0, 3, 4, 1, 5, 2).reshape(n, f, 2 * h, 2 * w);
    }
}
