package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

import org.vqvae.core.quantize.Codebooks;

/**
 * One gated layer of the Gated PixelCNN (van den Oord et al. 2016, arXiv 1606.05328, figure 2),
 * with separate vertical and horizontal stacks, so there is no blind spot.
 *
 * <ul>
 *   <li>vertical: an {@code (n/2+1) x n} convolution padded by n/2 and cropped to the first H
 *       rows, so row i sees rows {@code i-n/2 .. i} (type A: {@code .. i-1});
 *   <li>horizontal: a {@code 1 x (n/2+1)} convolution cropped the same way along columns, so
 *       column j sees columns {@code j-n/2 .. j} of its row (type A: {@code .. j-1}), plus a 1x1
 *       link from the vertical stack, which only ever sees rows above;
 *   <li>gates {@code tanh(a) * sigmoid(b)} with a learned per-class bias added before both gates;
 *   <li>a 1x1 convolution and a residual connection on the horizontal stack (not on type A, whose
 *       input holds the current position).
 * </ul>
 *
 * Input and output: {@code NDList(vertical [N, C, H, W], horizontal [N, C, H, W], labels [N])},
 * plus, for a layer built with condition channels, a fourth array {@code [N, Cc, H, W]} of
 * position-wise condition features (VQ-VAE-2's bottom prior: features of the top codes), projected
 * by a 1x1 convolution and added before both gates like the class bias. It is passed through.
 */
public final class GatedLayer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int channels;
    private final int kernel;
    private final boolean typeA;
    private final float dropout;
    private final Parameter vWeight;
    private final Parameter vBias;
    private final Parameter hWeight;
    private final Parameter hBias;
    private final Parameter linkWeight;
    private final Parameter linkBias;
    private final Parameter outWeight;
    private final Parameter outBias;
    private final Parameter classBias;
    private final Parameter conditionWeight;

    GatedLayer(int channels, int kernel, int numClasses, boolean typeA, float dropout) {
        this(channels, kernel, numClasses, typeA, dropout, 0);
    }

    GatedLayer(int channels, int kernel, int numClasses, boolean typeA, float dropout, int conditionChannels) {
        super(VERSION);
        this.channels = channels;
        this.kernel = kernel;
        this.typeA = typeA;
        this.dropout = dropout;
        int c2 = 2 * channels;
        int half = kernel / 2;
        vWeight = param("vWeight", Parameter.Type.WEIGHT, new Shape(c2, channels, half + 1, kernel));
        vBias = param("vBias", Parameter.Type.BIAS, new Shape(c2));
        hWeight = param("hWeight", Parameter.Type.WEIGHT, new Shape(c2, channels, 1, half + 1));
        hBias = param("hBias", Parameter.Type.BIAS, new Shape(c2));
        linkWeight = param("linkWeight", Parameter.Type.WEIGHT, new Shape(c2, c2, 1, 1));
        linkBias = param("linkBias", Parameter.Type.BIAS, new Shape(c2));
        outWeight = param("outWeight", Parameter.Type.WEIGHT, new Shape(channels, channels, 1, 1));
        outBias = param("outBias", Parameter.Type.BIAS, new Shape(channels));
        classBias = addParameter(Parameter.builder().setName("classBias").setType(Parameter.Type.OTHER)
                .optShape(new Shape(numClasses, c2)).optInitializer(new NormalInitializer(1f)).build());
        conditionWeight = conditionChannels > 0
                ? param("conditionWeight", Parameter.Type.WEIGHT, new Shape(c2, conditionChannels, 1, 1)) : null;
    }

    private Parameter param(String name, Parameter.Type type, Shape shape) {
        return addParameter(Parameter.builder().setName(name).setType(type).optShape(shape).build());
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray v = inputs.get(0);
        NDArray h = inputs.get(1);
        NDArray labels = inputs.get(2);
        NDManager m = v.getManager();
        long height = v.getShape().get(2);
        long width = v.getShape().get(3);
        int half = kernel / 2;
        NDArray vw = value(ps, vWeight, v);
        NDArray hw = value(ps, hWeight, v);
        if (typeA) {
            // type A: the vertical stack must not see the current row, the horizontal not the current column
            vw = mask(m, vw.getShape(), 2).mul(vw); // mask first: the product joins the step's manager
            hw = mask(m, hw.getShape(), 3).mul(hw);
        }
        NDArray cond = Codebooks.lookup(labels, value(ps, classBias, v)).reshape(-1, 2L * channels, 1, 1);
        if (conditionWeight != null) {
            if (inputs.size() < 4) {
                throw new IllegalArgumentException("this layer is conditioned: pass the condition features");
            }
            cond = Conv2d.conv2d(inputs.get(3), value(ps, conditionWeight, v)).singletonOrThrow().add(cond);
        }
        NDArray vPre = Conv2d.conv2d(v, vw, value(ps, vBias, v), new Shape(1, 1), new Shape(half, half), new Shape(1, 1))
                .singletonOrThrow()
                .get(new NDIndex(":, :, :{}, :", height));
        NDArray vOut = gate(vPre.add(cond));
        NDArray hPre = Conv2d.conv2d(h, hw, value(ps, hBias, v), new Shape(1, 1), new Shape(0, half), new Shape(1, 1))
                .singletonOrThrow()
                .get(new NDIndex(":, :, :, :{}", width));
        NDArray link = Conv2d.conv2d(vPre, value(ps, linkWeight, v), value(ps, linkBias, v)).singletonOrThrow();
        NDArray gated = gate(hPre.add(link).add(cond));
        if (training && dropout > 0) {
            gated = Dropout.dropout(gated, dropout, true).singletonOrThrow();
        }
        NDArray hOut = Conv2d.conv2d(gated, value(ps, outWeight, v), value(ps, outBias, v)).singletonOrThrow();
        if (!typeA) {
            hOut = hOut.add(h);
        }
        NDList out = new NDList(vOut, hOut, labels);
        if (inputs.size() > 3) {
            out.add(inputs.get(3));
        }
        return out;
    }

    private static NDArray value(ParameterStore ps, Parameter p, NDArray like) {
        return ps.getValue(p, like.getDevice(), false);
    }

    /** A mask of ones whose last index along {@code axis} is zero. */
    private static NDArray mask(NDManager m, Shape shape, int axis) {
        NDArray mask = m.ones(shape, DataType.FLOAT32);
        String idx = axis == 2 ? ":, :, -1, :" : ":, :, :, -1";
        mask.set(new NDIndex(idx), 0f);
        return mask;
    }

    private NDArray gate(NDArray x) {
        NDArray a = x.get(new NDIndex(":, :{}", channels));
        NDArray b = x.get(new NDIndex(":, {}:", channels));
        return a.tanh().mul(ai.djl.nn.Activation.sigmoid(b));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes.clone();
    }
}
