package org.vqvae.prior.rosinality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.vqvae.prior.CausalAttention;

/**
 * rosinality's {@code CausalAttention}: weight-normalised linear query, key and value maps to
 * {@code channel} channels in {@code heads} heads, scaled dot products, query i attending to keys
 * j &lt; i (position 0 reads 0), attention dropout when training; the read-out stays at {@code
 * channel} channels (the block's {@code out_resblock} takes it as its auxiliary input). The softmax
 * is {@link CausalAttention#attendInChunks}, queries in chunks to bound the score tensor.
 *
 * <p>Keys {@code KEY.query}, {@code KEY.key}, {@code KEY.value} (each {@code weight_g}, {@code
 * weight_v}, {@code bias}).
 */
final class WnCausalAttention {

    private final WnConv2d query;
    private final WnConv2d key;
    private final WnConv2d value;
    private final int heads;
    private final int dimHead;
    private final int chunk;
    private final float dropout;

    WnCausalAttention(ParameterSink sink, String key, int queryChannels, int keyChannels, int channel, int heads,
            float dropout, int chunk) {
        this.query = WnConv2d.linear(sink, key + ".query", queryChannels, channel);
        this.key = WnConv2d.linear(sink, key + ".key", keyChannels, channel);
        this.value = WnConv2d.linear(sink, key + ".value", keyChannels, channel);
        this.heads = heads;
        this.dimHead = channel / heads;
        this.dropout = dropout;
        this.chunk = chunk;
    }

    /**
     * Attends.
     *
     * @param ps the parameter store
     * @param q the query features {@code [N, Cq, H, W]}
     * @param k the key features {@code [N, Ck, H, W]}
     * @param training whether training (dropout)
     * @return {@code [N, channel, H, W]}
     */
    NDArray forward(ParameterStore ps, NDArray q, NDArray k, boolean training) {
        long n = k.getShape().get(0);
        long h = k.getShape().get(2);
        long w = k.getShape().get(3);
        NDArray read = CausalAttention.attendInChunks(split(query.forward(ps, q, training)),
                split(key.forward(ps, k, training)), split(value.forward(ps, k, training)), chunk, dropout, training);
        // [N, heads, P, d] -> [N, heads * d, H, W]: channel head * d + i, as rosinality's reshape
        return read.transpose(0, 1, 3, 2).reshape(n, (long) heads * dimHead, h, w);
    }

    /** {@code [N, heads * d, H, W]} to {@code [N, heads, H * W, d]}. */
    private NDArray split(NDArray y) {
        Shape s = y.getShape();
        return y.reshape(s.get(0), heads, dimHead, s.get(2) * s.get(3)).transpose(0, 1, 3, 2);
    }
}
