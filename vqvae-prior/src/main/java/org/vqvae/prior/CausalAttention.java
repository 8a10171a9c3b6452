package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.vqvae.core.io.HostArrays;

/**
 * Causal multi-head self-attention over the positions of a map in raster order, as PixelSNAIL
 * (Chen et al. 2017, arXiv 1712.09763) does it: the keys and values at position j are computed
 * from the features there, the embedded code at j itself and a positional background (row and
 * column scaled to [0, 1]); the query at position i from the features and the background; i
 * attends to every j &lt; i (strictly earlier, so the code at i never reaches its own logits, and
 * the code just before i reaches it directly). Position 0 has nothing to attend to and reads 0.
 *
 * <p>Queries are processed in chunks, so the score tensor holds at most {@code chunk x positions}
 * entries per head instead of {@code positions^2}. The pieces ({@link #queries}, {@link
 * #keysValues}, {@link #attend}, {@link #project}) are also used one row at a time by the cached
 * sampler.
 *
 * <p>Input {@code NDList(features [N, C, H, W], embedded codes [N, C, H, W])}; output {@code [N, C,
 * H, W]}, the read-out projected back to C channels (the caller adds it to its residual stream).
 */
public final class CausalAttention extends AbstractBlock {

    private static final byte VERSION = 2;

    private final int heads;
    private final int keyChannels;
    private final int valueChannels;
    private final int chunk;
    private final Parameter queryWeight;
    private final Parameter queryBias;
    private final Parameter keyWeight;
    private final Parameter keyBias;
    private final Parameter valueWeight;
    private final Parameter valueBias;
    private final Parameter outWeight;
    private final Parameter outBias;

    CausalAttention(int channels, int heads, int keyChannels, int valueChannels, int chunk) {
        super(VERSION);
        this.heads = heads;
        this.keyChannels = keyChannels;
        this.valueChannels = valueChannels;
        this.chunk = chunk;
        int qk = heads * keyChannels;
        int v = heads * valueChannels;
        queryWeight = param("queryWeight", new Shape(qk, channels + 2, 1, 1));
        queryBias = param("queryBias", new Shape(qk));
        keyWeight = param("keyWeight", new Shape(qk, 2L * channels + 2, 1, 1));
        keyBias = param("keyBias", new Shape(qk));
        valueWeight = param("valueWeight", new Shape(v, 2L * channels + 2, 1, 1));
        valueBias = param("valueBias", new Shape(v));
        outWeight = param("outWeight", new Shape(channels, v, 1, 1));
        outBias = param("outBias", new Shape(channels));
    }

    private Parameter param(String name, Shape shape) {
        return addParameter(Parameter.builder().setName(name)
                .setType(name.endsWith("Bias") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT).optShape(shape).build());
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray features = inputs.get(0);
        NDArray embedded = inputs.get(1);
        long n = features.getShape().get(0);
        int h = (int) features.getShape().get(2);
        int w = (int) features.getShape().get(3);
        NDArray pos = positions(features.getManager(), n, h, w, 0, h);
        NDArray q = queries(ps, features, pos, training);
        NDArray[] kv = keysValues(ps, features, embedded, pos, training);
        NDArray read = attendInChunks(q, kv[0], kv[1], chunk, 0f, training);
        return new NDList(project(ps, read, h, w, training));
    }

    /**
     * Causal attention over a whole map, the queries in chunks: the functional form of this block's
     * read-out. Query i sees only keys j &lt; i; query 0 reads 0. Without gradients each chunk's
     * scores are freed before the next chunk starts, so at most {@code chunk x P} scores are held
     * per head; in training autograd keeps every chunk's weights.
     *
     * @param q {@code [N, heads, P, dk]}, scaled inside by {@code 1 / sqrt(dk)}
     * @param k {@code [N, heads, P, dk]}
     * @param v {@code [N, heads, P, dv]}
     * @param chunk queries per chunk
     * @param dropout dropout on the attention weights when training
     * @param training whether training
     * @return {@code [N, heads, P, dv]}
     */
    public static NDArray attendInChunks(NDArray q, NDArray k, NDArray v, int chunk, float dropout, boolean training) {
        int p = (int) q.getShape().get(2);
        NDList parts = new NDList();
        NDManager outer = q.getManager();
        for (int from = 0; from < p; from += chunk) {
            int to = Math.min(p, from + chunk);
            if (training) {
                // queries [from, to) only ever see keys [0, to - 1); autograd keeps each chunk's weights
                parts.add(attend(q.get(new NDIndex(":, :, {}:{}, :", from, to)),
                        k.get(new NDIndex(":, :, :{}, :", to)), v.get(new NDIndex(":, :, :{}, :", to)), from, dropout,
                        true));
                continue;
            }
            // without gradients a chunk's scores and weights are freed before the next chunk starts
            try (NDManager scratch = outer.newSubManager()) {
                q.tempAttach(scratch);
                k.tempAttach(scratch);
                v.tempAttach(scratch);
                NDArray read = attend(q.get(new NDIndex(":, :, {}:{}, :", from, to)),
                        k.get(new NDIndex(":, :, :{}, :", to)), v.get(new NDIndex(":, :, :{}, :", to)), from, 0f,
                        false);
                read.attach(outer);
                parts.add(read);
            }
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 2);
    }

    /**
     * Queries of a band of rows: {@code [N, heads, rows * W, dk]}.
     *
     * @param ps the parameter store
     * @param features {@code [N, C, rows, W]}
     * @param pos the band's positional background {@code [N, 2, rows, W]}
     * @param training whether training
     * @return the queries
     */
    NDArray queries(ParameterStore ps, NDArray features, NDArray pos, boolean training) {
        return conv(features.concat(pos, 1), ps, queryWeight, queryBias, keyChannels, training);
    }

    /**
     * Keys and values of a band of rows, each {@code [N, heads, rows * W, d]}.
     *
     * @param ps the parameter store
     * @param features {@code [N, C, rows, W]}
     * @param embedded the embedded codes of the band {@code [N, C, rows, W]}
     * @param pos the band's positional background
     * @param training whether training
     * @return keys, values
     */
    NDArray[] keysValues(ParameterStore ps, NDArray features, NDArray embedded, NDArray pos, boolean training) {
        NDArray in = NDArrays.concat(new NDList(features, embedded, pos), 1);
        return new NDArray[] {conv(in, ps, keyWeight, keyBias, keyChannels, training),
            conv(in, ps, valueWeight, valueBias, valueChannels, training)};
    }

    /**
     * Attends queries at raster positions {@code first, first + 1, ...} to keys at positions {@code
     * 0, 1, ...}: each query sees only strictly earlier keys; a query at position 0 reads 0.
     *
     * @param q {@code [N, heads, nq, dk]}
     * @param k {@code [N, heads, nk, dk]}
     * @param v {@code [N, heads, nk, dv]}
     * @param first raster position of the first query
     * @return {@code [N, heads, nq, dv]}
     */
    NDArray attend(NDArray q, NDArray k, NDArray v, int first) {
        return attend(q, k, v, first, 0f, false);
    }

    /**
     * The functional form of {@link #attend(NDArray, NDArray, NDArray, int)}: scores scaled by
     * {@code 1 / sqrt(dk)}, softmax over the strictly earlier keys, optional dropout on the weights.
     *
     * @param q {@code [N, heads, nq, dk]}
     * @param k {@code [N, heads, nk, dk]}
     * @param v {@code [N, heads, nk, dv]}
     * @param first raster position of the first query
     * @param dropout dropout on the attention weights when training
     * @param training whether training
     * @return {@code [N, heads, nq, dv]}
     */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, int first, float dropout, boolean training) {
        NDManager m = q.getManager();
        int nq = (int) q.getShape().get(2);
        int nk = (int) k.getShape().get(2);
        float scale = (float) (1 / Math.sqrt(q.getShape().get(3)));
        float[] mask = new float[nq * nk];
        for (int qi = 0; qi < nq; qi++) {
            for (int ki = first + qi; ki < nk; ki++) {
                mask[qi * nk + ki] = -1e9f;
            }
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(HostArrays.floats(m, mask, new Shape(nq, nk)));
        NDArray weights = scores.softmax(-1);
        if (training && dropout > 0) {
            weights = Dropout.dropout(weights, dropout, true).singletonOrThrow();
        }
        NDArray read = weights.matMul(v);
        if (first == 0) {
            float[] keep = new float[nq];
            java.util.Arrays.fill(keep, 1f);
            keep[0] = 0f;
            read = read.mul(HostArrays.floats(m, keep, new Shape(nq, 1)));
        }
        return read;
    }

    /**
     * Projects a read-out back to the stream's channels.
     *
     * @param ps the parameter store
     * @param read {@code [N, heads, rows * W, dv]}
     * @param rows rows of the band
     * @param w map width
     * @param training whether training
     * @return {@code [N, C, rows, W]}
     */
    NDArray project(ParameterStore ps, NDArray read, int rows, int w, boolean training) {
        long n = read.getShape().get(0);
        NDArray map = read.transpose(0, 1, 3, 2).reshape(n, (long) heads * valueChannels, rows, w);
        return Conv2d.conv2d(map, ps.getValue(outWeight, read.getDevice(), training),
                ps.getValue(outBias, read.getDevice(), training)).singletonOrThrow();
    }

    /** 1x1 convolution then {@code [N, heads, P, d]}. */
    private NDArray conv(NDArray in, ParameterStore ps, Parameter weight, Parameter bias, int d, boolean training) {
        NDArray y = Conv2d.conv2d(in, ps.getValue(weight, in.getDevice(), training),
                ps.getValue(bias, in.getDevice(), training)).singletonOrThrow();
        long n = y.getShape().get(0);
        long p = y.getShape().get(2) * y.getShape().get(3);
        return y.reshape(n, heads, d, p).transpose(0, 1, 3, 2);
    }

    /**
     * Row and column of every position of rows {@code [from, to)} of an {@code h x w} map, scaled
     * to [0, 1].
     *
     * @param m manager of the result
     * @param n batch size
     * @param h map height
     * @param w map width
     * @param from first row
     * @param to end row
     * @return {@code [N, 2, to - from, W]}
     */
    static NDArray positions(NDManager m, long n, int h, int w, int from, int to) {
        int rows = to - from;
        float[] pos = new float[2 * rows * w];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < w; j++) {
                pos[i * w + j] = h == 1 ? 0 : (float) (from + i) / (h - 1);
                pos[rows * w + i * w + j] = w == 1 ? 0 : (float) j / (w - 1);
            }
        }
        return HostArrays.floats(m, pos, new Shape(1, 2, rows, w)).repeat(0, n);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
