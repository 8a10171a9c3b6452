package org.vqvae.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 4x4, stride-2, padding-1 transposed convolution (PyTorch's {@code ConvTranspose2d(c, f, 4, 2,
 * 1)}), which doubles the spatial size: {@code [N, C, H, W] -> [N, F, 2H, 2W]}.
 *
 * <p>DJL's PyTorch engine has no transposed convolution, so it is computed exactly as a sub-pixel
 * convolution: output pixel {@code (2m + a, 2n + b)} only sees a 2x2 input window through the
 * kernel taps of its phase {@code (a, b)}, so one 2x2 convolution (padding 1) producing 4F channels
 * computes all four phases on an {@code (H+1)x(W+1)} grid, phase {@code (a, b)} offset by {@code
 * (a, b)} on it. With the phases in reverse order, one depth-to-space copy interleaves them into a
 * {@code (2H+2)x(2W+2)} map whose centre is the output: the offsets become one crop, a view in
 * inference, a negative padding in training (one more copy forward, half the fills and copies
 * backward). Same FLOPs as the transposed convolution; the form before (four slices, two stacks)
 * copied the output twice and its backward filled and summed four slices' gradients ({@code
 * bench/UPSAMPLE.md} times each variant). The weight keeps PyTorch's layout {@code [C, F, 4, 4]}.
 */
public final class UpsampleConv extends AbstractBlock {

    private static final byte VERSION = 1;
    /** Kernel rows (or columns) used by phase 0 and phase 1 for window taps 0 and 1. */
    private static final int[][] TAPS = {{3, 1}, {2, 0}};
    /** The flat kernel tap of each (phase in reverse order, window row, window column). */
    private static final long[] TAP_INDEX = tapIndex();

    private final int filters;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the block.
     *
     * @param filters F, the output channels
     */
    public UpsampleConv(int filters) {
        super(VERSION);
        if (filters < 1) {
            throw new IllegalArgumentException("filters must be >= 1, got " + filters);
        }
        this.filters = filters;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build());
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        return new NDList(upsample(x, w, b, training));
    }

    /**
     * The functional form for inference: transposed convolution with a {@code [C, F, 4, 4]} kernel,
     * stride 2, padding 1; the result is a view (the crop) of a slightly larger map.
     *
     * @param x {@code [N, C, H, W]}
     * @param w {@code [C, F, 4, 4]}
     * @param b {@code [F]} or null
     * @return {@code [N, F, 2H, 2W]}
     */
    public static NDArray upsample(NDArray x, NDArray w, NDArray b) {
        return upsample(x, w, b, false);
    }

    /**
     * The functional form: transposed convolution with a {@code [C, F, 4, 4]} kernel, stride 2,
     * padding 1.
     *
     * @param x {@code [N, C, H, W]}
     * @param w {@code [C, F, 4, 4]}
     * @param b {@code [F]} or null
     * @param training whether gradients will flow back: then the crop is a negative padding, a
     *     second copy forward but one fill and one copy backward, where a view's backward (two
     *     slices) takes two of each
     * @return {@code [N, F, 2H, 2W]}
     */
    public static NDArray upsample(NDArray x, NDArray w, NDArray b, boolean training) {
        NDManager m = x.getManager();
        long n = x.getShape().get(0);
        long h = x.getShape().get(2);
        long wd = x.getShape().get(3);
        long c = w.getShape().get(0);
        long f = w.getShape().get(1);
        // [C, F, 16] -> [C, F, 4 phases (reversed), 2, 2] -> [4 phases, F, C, 2, 2] -> [4F, C, 2, 2]
        NDArray flat = w.reshape(c, f, 16);
        flat.attach(m); // keep per-step temporaries out of the parameters' manager
        NDArray phased = flat.get(new NDIndex(":, :, {}", m.create(TAP_INDEX)))
                .reshape(c, f, 4, 2, 2)
                .transpose(2, 1, 0, 3, 4)
                .reshape(4 * f, c, 2, 2);
        NDArray phaseBias = null;
        if (b != null) {
            phaseBias = b.tile(4);
            phaseBias.attach(m);
        }
        // phases in reverse order: grid row k (column l) is output row k - 1 (column l - 1)
        NDArray grid = Conv2d.conv2d(x, phased, phaseBias, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1))
                .singletonOrThrow()
                .reshape(n, 2, 2, f, h + 1, wd + 1)
                .transpose(0, 3, 4, 1, 5, 2) // [N, F, H+1, 2 (1 - a), W+1, 2 (1 - b)]
                .reshape(n, f, 2 * h + 2, 2 * wd + 2);
        if (training) {
            return grid.pad(new Shape(-1, -1, -1, -1), 0);
        }
        return grid.get(new NDIndex(":, :, 1:{}, 1:{}", 2 * h + 1, 2 * wd + 1));
    }

    private static long[] tapIndex() {
        long[] index = new long[16];
        int i = 0;
        for (int a = 1; a >= 0; a--) {
            for (int bb = 1; bb >= 0; bb--) {
                for (int ty = 0; ty < 2; ty++) {
                    for (int tx = 0; tx < 2; tx++) {
                        index[i++] = TAPS[a][ty] * 4L + TAPS[bb][tx];
                    }
                }
            }
        }
        return index;
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), filters, in.get(2) * 2, in.get(3) * 2)};
    }

    /** {@inheritDoc} */
    @Override
    public void prepare(Shape[] inputShapes) {
        weight.setShape(new Shape(inputShapes[0].get(1), filters, 4, 4));
        bias.setShape(new Shape(filters));
    }
}
