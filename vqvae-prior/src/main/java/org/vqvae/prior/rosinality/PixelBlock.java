package org.vqvae.prior.rosinality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;

import java.util.ArrayList;
import java.util.List;

/**
 * rosinality's {@code PixelBlock}: causal gated residual blocks (conditioned, in a bottom prior),
 * then either causal attention (keys from the block's input, its output and the background,
 * queries from its output and the background, each through a 1x1 gated residual block; the
 * read-out enters an output gated block as its auxiliary input) or, without attention, a 1x1
 * weight-normalised convolution of the output and the background, with no residual.
 *
 * <p>Keys under {@code KEY}: {@code resblocks.i}, then {@code key_resblock}, {@code
 * query_resblock}, {@code causal_attention}, {@code out_resblock} with attention or {@code
 * out.conv} without.
 */
final class PixelBlock {

    private final List<GatedResBlock> resblocks = new ArrayList<>();
    private final GatedResBlock keyBlock;
    private final GatedResBlock queryBlock;
    private final WnCausalAttention attention;
    private final GatedResBlock outBlock;
    private final WnConv2d out;
    private final boolean inplaceElu;

    PixelBlock(ParameterSink sink, String key, RosinalityPixelSnailConfig c) {
        int in = c.channel();
        inplaceElu = c.legacyInplaceElu();
        for (int i = 0; i < c.nResBlock(); i++) {
            resblocks.add(new GatedResBlock(sink, key + ".resblocks." + i, in, c.resChannel(), c.kernelSize(), true,
                    c.dropout(), 0, c.condResChannel(), c.legacyInplaceElu()));
        }
        if (c.attention()) {
            boolean inplace = c.legacyInplaceElu();
            keyBlock = new GatedResBlock(sink, key + ".key_resblock", 2 * in + 2, in, 1, false, c.dropout(), 0, 0,
                    inplace);
            queryBlock = new GatedResBlock(sink, key + ".query_resblock", in + 2, in, 1, false, c.dropout(), 0, 0,
                    inplace);
            attention = new WnCausalAttention(sink, key + ".causal_attention", in + 2, 2 * in + 2, in / 2, c.heads(),
                    c.dropout(), c.attentionChunk());
            outBlock = new GatedResBlock(sink, key + ".out_resblock", in, in, 1, false, c.dropout(), in / 2, 0,
                    inplace);
            out = null;
        } else {
            keyBlock = null;
            queryBlock = null;
            attention = null;
            outBlock = null;
            out = new WnConv2d(sink, key + ".out.conv", in + 2, in, 1, 1, WnConv2d.Padding.SAME, true);
        }
    }

    /**
     * Applies the block.
     *
     * @param ps the parameter store
     * @param input {@code [N, C, H, W]}
     * @param background {@code [N, 2, H, W]} positions
     * @param condition {@code [N, Cc, H, W]} condition features, or null
     * @param training whether training
     * @return {@code [N, C, H, W]}
     */
    NDArray forward(ParameterStore ps, NDArray input, NDArray background, NDArray condition, boolean training) {
        NDArray h = input;
        for (GatedResBlock b : resblocks) {
            h = b.forward(ps, h, null, condition, training);
        }
        if (attention == null) {
            return out.forward(ps, h.concat(background, 1), training);
        }
        // the early file's first residual block overwrote the block's input with its ELU
        NDArray seen = inplaceElu && !resblocks.isEmpty() ? GatedResBlock.elu(input) : input;
        NDArray key = keyBlock.forward(ps, NDArrays.concat(new NDList(seen, h, background), 1), null, null, training);
        NDArray query = queryBlock.forward(ps, h.concat(background, 1), null, null, training);
        return outBlock.forward(ps, h, attention.forward(ps, query, key, training), null, training);
    }
}
