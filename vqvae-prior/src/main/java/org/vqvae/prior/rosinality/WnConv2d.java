package org.vqvae.prior.rosinality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;

import org.vqvae.core.io.HostArrays;

import java.util.Arrays;

/**
 * A convolution under weight normalisation (Salimans and Kingma 2016, arXiv 1602.07868) as {@code
 * torch.nn.utils.weight_norm} computes it: {@code weight = g * v / ||v||}, the norm over everything
 * but the output channel. Padded the ways rosinality's {@code WNConv2d} and {@code CausalConv2d}
 * pad; its {@code wn_linear} is the {@link Padding#LINEAR} case, a 1x1 convolution over a map.
 *
 * <p>State_dict keys {@code KEY.weight_g} {@code [out, 1, 1, 1]} ({@code [out, 1]} linear), {@code
 * KEY.weight_v} {@code [out, in, kh, kw]} ({@code [out, in]} linear) and {@code KEY.bias}.
 */
final class WnConv2d {

    /** How the input is padded before the (unpadded) convolution. */
    enum Padding {
        /** {@code kh/2, kw/2} on every side ({@code WNConv2d(padding=kernel // 2)}). */
        SAME,
        /** {@code kh - 1} rows on top, {@code kw/2} columns each side ({@code CausalConv2d 'down'}). */
        DOWN,
        /** {@code kh - 1} rows on top, {@code kw - 1} columns on the left ({@code 'downright'}). */
        DOWNRIGHT,
        /**
         * As {@link #DOWN}, and the kernel's last row cut from its centre column on (the current
         * position and those right of it) before the norm is taken ({@code 'causal'}).
         */
        CAUSAL,
        /** A weight-normalised linear layer applied at every position. */
        LINEAR
    }

    private final Parameter g;
    private final Parameter v;
    private final Parameter bias;
    private final int in;
    private final int out;
    private final int kh;
    private final int kw;
    private final Padding padding;

    WnConv2d(ParameterSink sink, String key, int in, int out, int kh, int kw, Padding padding, boolean bias) {
        this.in = in;
        this.out = out;
        this.kh = kh;
        this.kw = kw;
        this.padding = padding;
        boolean linear = padding == Padding.LINEAR;
        g = sink.add(key + ".weight_g", linear ? new Shape(out, 1) : new Shape(out, 1, 1, 1));
        v = sink.add(key + ".weight_v", linear ? new Shape(out, in) : new Shape(out, in, kh, kw));
        this.bias = bias ? sink.add(key + ".bias", new Shape(out)) : null;
    }

    static WnConv2d linear(ParameterSink sink, String key, int in, int out) {
        return new WnConv2d(sink, key, in, out, 1, 1, Padding.LINEAR, true);
    }

    /**
     * Applies the convolution.
     *
     * @param ps the parameter store
     * @param x {@code [N, in, H, W]}
     * @param training whether training
     * @return {@code [N, out, H', W']} ({@code H' = H, W' = W} for odd kernels)
     */
    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDManager m = x.getManager();
        NDArray w = weight(ps.getValue(g, x.getDevice(), training), ps.getValue(v, x.getDevice(), training),
                cut(m), m);
        if (padding == Padding.LINEAR) {
            w = w.reshape(out, in, 1, 1);
        }
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        NDArray padded = switch (padding) {
            case DOWN, CAUSAL -> x.pad(new Shape(kw / 2, kw / 2, kh - 1, 0), 0);
            case DOWNRIGHT -> x.pad(new Shape(kw - 1, 0, kh - 1, 0), 0);
            case SAME, LINEAR -> x;
        };
        Shape same = padding == Padding.SAME ? new Shape(kh / 2, kw / 2) : new Shape(0, 0);
        return Conv2d.conv2d(padded, w, b, new Shape(1, 1), same, new Shape(1, 1)).singletonOrThrow();
    }

    /** The causal cut as a {@code [1, 1, kh, kw]} mask, or null when nothing is cut. */
    private NDArray cut(NDManager m) {
        if (padding != Padding.CAUSAL || kw / 2 == 0) {
            return null;
        }
        float[] mask = new float[kh * kw];
        Arrays.fill(mask, 1f);
        Arrays.fill(mask, (kh - 1) * kw + kw / 2, kh * kw, 0f);
        return HostArrays.floats(m, mask, new Shape(1, 1, kh, kw));
    }

    /**
     * The functional form: {@code g * v / ||v||}, the norm per output channel (over every other axis).
     *
     * @param g {@code [out, 1, ...]}
     * @param v {@code [out, ...]}
     * @param mask multiplied into {@code v} before the norm (broadcast), or null
     * @param m the manager of the result and temporaries (the parameters' manager is left alone)
     * @return the weight, shaped as {@code v}
     */
    static NDArray weight(NDArray g, NDArray v, NDArray mask, NDManager m) {
        // the step's array first, so every result joins the step's manager, not the parameters'
        NDArray vm = (mask != null ? mask : m.ones(new Shape(1))).mul(v);
        int[] axes = new int[vm.getShape().dimension() - 1];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 1;
        }
        NDArray norm = vm.square().sum(axes, true).sqrt();
        return vm.mul(g).div(norm);
    }
}
