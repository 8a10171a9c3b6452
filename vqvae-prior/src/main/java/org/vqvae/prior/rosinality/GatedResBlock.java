package org.vqvae.prior.rosinality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;

/**
 * rosinality's {@code GatedResBlock}: {@code x + GLU(conv2(dropout(elu(conv1(elu(x)) [+
 * aux_conv(elu(aux))]))) [+ condition(c)])}, GLU taking the first half of the channels times the
 * sigmoid of the second half. Its convolutions are causal ({@code conv='causal'}, inside the
 * PixelSNAIL blocks) or same-padded ({@code 'wnconv2d'}).
 *
 * <p>With {@code inplaceElu} (the early pixelsnail.py, whose ELU overwrote its input) the residual
 * adds {@code elu(x)}.
 *
 * <p>Keys under {@code KEY}: {@code conv1}, {@code conv2} (each {@code .conv.conv} causal, {@code
 * .conv} same-padded), {@code aux_conv.conv} with an auxiliary input, {@code condition.conv}
 * (no bias) with a condition.
 */
final class GatedResBlock {

    private final WnConv2d conv1;
    private final WnConv2d conv2;
    private final WnConv2d aux;
    private final WnConv2d condition;
    private final float dropout;
    private final int in;
    private final boolean inplaceElu;

    GatedResBlock(ParameterSink sink, String key, int in, int channel, int kernel, boolean causal, float dropout,
            int auxChannels, int conditionChannels, boolean inplaceElu) {
        this.in = in;
        this.inplaceElu = inplaceElu;
        this.dropout = dropout;
        WnConv2d.Padding pad = causal ? WnConv2d.Padding.CAUSAL : WnConv2d.Padding.SAME;
        String conv = causal ? ".conv.conv" : ".conv";
        conv1 = new WnConv2d(sink, key + ".conv1" + conv, in, channel, kernel, kernel, pad, true);
        aux = auxChannels > 0
                ? new WnConv2d(sink, key + ".aux_conv.conv", auxChannels, channel, 1, 1, WnConv2d.Padding.SAME, true)
                : null;
        conv2 = new WnConv2d(sink, key + ".conv2" + conv, channel, 2 * in, kernel, kernel, pad, true);
        condition = conditionChannels > 0 ? new WnConv2d(sink, key + ".condition.conv", conditionChannels, 2 * in, 1,
                1, WnConv2d.Padding.SAME, false) : null;
    }

    /**
     * Applies the block.
     *
     * @param ps the parameter store
     * @param x {@code [N, in, H, W]}
     * @param auxInput {@code [N, aux, H, W]}, or null (a block built with an auxiliary input needs it)
     * @param cond {@code [N, cond, H, W]} or null (ignored by a block built without one)
     * @param training whether training (dropout)
     * @return {@code [N, in, H, W]}
     */
    NDArray forward(ParameterStore ps, NDArray x, NDArray auxInput, NDArray cond, boolean training) {
        NDArray activated = elu(x);
        NDArray h = conv1.forward(ps, activated, training);
        if (aux != null) {
            h = h.add(aux.forward(ps, elu(auxInput), training));
        }
        h = elu(h);
        if (training && dropout > 0) {
            h = Dropout.dropout(h, dropout, true).singletonOrThrow();
        }
        h = conv2.forward(ps, h, training);
        if (condition != null && cond != null) {
            h = h.add(condition.forward(ps, cond, training));
        }
        NDArray gated = h.get(new NDIndex(":, :{}", in)).mul(Activation.sigmoid(h.get(new NDIndex(":, {}:", in))));
        return gated.add(inplaceElu ? activated : x);
    }

    static NDArray elu(NDArray x) {
        return Activation.elu(x, 1f);
    }
}
