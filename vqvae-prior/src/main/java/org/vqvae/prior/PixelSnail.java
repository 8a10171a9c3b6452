package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

import org.vqvae.core.model.TorchDefaultInit;
import org.vqvae.core.quantize.Codebooks;

import java.util.ArrayList;
import java.util.List;

/**
 * A class-conditional PixelSNAIL prior (Chen et al. 2017, arXiv 1712.09763) over code maps: causal
 * gated convolutions (the no-blind-spot vertical and horizontal stacks of {@link GatedLayer}, with
 * dropout and per-class gate biases) interleaved with {@link CausalAttention} over all earlier
 * positions, then a 1x1 head to K logits per position.
 *
 * <p>As VQ-VAE-2's bottom prior it is also conditioned on the code map of the level above: those
 * codes are embedded, upsampled (nearest) to this map's size and passed through a small residual
 * conditioning stack whose features enter every gated layer, position by position. The
 * conditioning map is known in full before sampling, so that stack need not be causal.
 *
 * <p>Input {@code NDList(codes [N, H, W], labels [N][, condition [N, Hc, Wc]])}; output {@code
 * NDList(logits [N, K, H, W])}. The logits at a position depend only on the codes before it in
 * raster order.
 */
public final class PixelSnail extends AbstractBlock implements CodePrior {

    private static final byte VERSION = 2;

    private final PixelSnailConfig config;
    private final Parameter embedding;
    private final GatedLayer first;
    private final List<List<GatedLayer>> convs = new ArrayList<>();
    private final List<CausalAttention> attentions = new ArrayList<>();
    private final Parameter headWeight;
    private final Parameter headBias;
    private final Parameter outWeight;
    private final Parameter outBias;
    private final Parameter conditionEmbedding;
    private final List<Parameter[]> conditionConvs = new ArrayList<>();

    /**
     * Builds an uninitialised prior.
     *
     * @param config its configuration (validated here)
     */
    public PixelSnail(PixelSnailConfig config) {
        super(VERSION);
        this.config = config.validate();
        int c = config.channels();
        int cc = config.conditioned() ? config.conditionChannels() : 0;
        embedding = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.numCodes(), c)).optInitializer(new NormalInitializer(1f)).build());
        first = addChildBlock("gatedA",
                new GatedLayer(c, config.kernel(), config.numClasses(), true, config.dropout(), cc));
        for (int b = 0; b < config.blocks(); b++) {
            List<GatedLayer> layers = new ArrayList<>();
            for (int i = 0; i < config.layersPerBlock(); i++) {
                layers.add(addChildBlock("block" + b + "gated" + i,
                        new GatedLayer(c, config.kernel(), config.numClasses(), false, config.dropout(), cc)));
            }
            convs.add(layers);
            if (config.attention()) {
                attentions.add(addChildBlock("block" + b + "attention", new CausalAttention(c, config.heads(),
                        config.keyChannels(), config.valueChannels(), config.attentionChunk())));
            }
        }
        headWeight = param("headWeight", Parameter.Type.WEIGHT, new Shape(2L * c, c, 1, 1));
        headBias = param("headBias", Parameter.Type.BIAS, new Shape(2L * c));
        outWeight = param("outWeight", Parameter.Type.WEIGHT, new Shape(config.numCodes(), 2L * c, 1, 1));
        outBias = param("outBias", Parameter.Type.BIAS, new Shape(config.numCodes()));
        if (config.conditioned()) {
            conditionEmbedding = addParameter(Parameter.builder().setName("conditionEmbedding")
                    .setType(Parameter.Type.WEIGHT).optShape(new Shape(config.conditionCodes(), cc))
                    .optInitializer(new NormalInitializer(1f)).build());
            for (int l = 0; l < config.conditionLayers(); l++) {
                conditionConvs.add(new Parameter[] {
                    param("condition" + l + "Weight", Parameter.Type.WEIGHT, new Shape(cc, cc, 3, 3)),
                    param("condition" + l + "Bias", Parameter.Type.BIAS, new Shape(cc))});
            }
        } else {
            conditionEmbedding = null;
        }
    }

    private Parameter param(String name, Parameter.Type type, Shape shape) {
        return addParameter(Parameter.builder().setName(name).setType(type).optShape(shape).build());
    }

    /**
     * Returns the configuration.
     *
     * @return the configuration
     */
    public PixelSnailConfig getConfig() {
        return config;
    }

    @Override
    public PriorConfig priorConfig() {
        return config;
    }










    @Override
    public PixelSnail initialize(NDManager manager) {
        if (!isInitialized()) {
            Shape codes = new Shape(1, config.height(), config.width());
            if (config.conditioned()) {
                initialize(manager, DataType.FLOAT32, codes, new Shape(1),
                        new Shape(1, config.conditionHeight(), config.conditionWidth()));
            } else {
                initialize(manager, DataType.FLOAT32, codes, new Shape(1));
            }
            TorchDefaultInit.redrawConvolutionParametersRecursively(this, manager);
        }
        return this;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray codes = inputs.get(0);
        NDArray labels = inputs.get(1).toType(DataType.INT64, false);
        NDArray condition = inputs.size() > 2 ? inputs.get(2) : null;
        checkInputs(codes, labels, condition);
        NDArray x = embed(ps, codes, training);
        NDArray features = condition == null ? null : conditionFeatures(ps, condition, training);
        NDList state = first.forward(ps, stream(x, x, labels, features), training, params);
        for (int b = 0; b < convs.size(); b++) {
            for (GatedLayer layer : convs.get(b)) {
                state = layer.forward(ps, state, training, params);
            }
            if (config.attention()) {
                NDArray h = state.get(1);
                NDArray attended = attentions.get(b).forward(ps, new NDList(h, x), training, params).singletonOrThrow();
                state = stream(state.get(0), h.add(attended), labels, features);
            }
        }
        return new NDList(head(ps, state.get(1), training));
    }

    private static NDList stream(NDArray v, NDArray h, NDArray labels, NDArray features) {
        NDList s = new NDList(v, h, labels);
        if (features != null) {
            s.add(features);
        }
        return s;
    }

    /** Codes {@code [N, h, W]} to {@code [N, C, h, W]}. */
    private NDArray embed(ParameterStore ps, NDArray codes, boolean training) {
        return Codebooks.lookup(codes, ps.getValue(embedding, codes.getDevice(), training)).transpose(0, 3, 1, 2);
    }

    private NDArray head(ParameterStore ps, NDArray stream, boolean training) {
        NDArray h = Activation.relu(stream);
        h = Activation.relu(Conv2d.conv2d(h, ps.getValue(headWeight, h.getDevice(), training),
                ps.getValue(headBias, h.getDevice(), training)).singletonOrThrow());
        return Conv2d.conv2d(h, ps.getValue(outWeight, h.getDevice(), training),
                ps.getValue(outBias, h.getDevice(), training)).singletonOrThrow();
    }

    /**
     * The conditioning stack: codes of the level above, embedded, upsampled to this map and refined
     * by residual 3x3 convolutions.
     *
     * @param ps the parameter store
     * @param condition {@code [N, Hc, Wc]} codes
     * @param training whether training
     * @return {@code [N, Cc, H, W]}
     */
    private NDArray conditionFeatures(ParameterStore ps, NDArray condition, boolean training) {
        long n = condition.getShape().get(0);
        int hc = config.conditionHeight();
        int wc = config.conditionWidth();
        int fh = config.height() / hc;
        int fw = config.width() / wc;
        long cc = config.conditionChannels();
        NDArray e = Codebooks.lookup(condition.toType(DataType.INT64, false),
                ps.getValue(conditionEmbedding, condition.getDevice(), training)).transpose(0, 3, 1, 2);
        e = e.reshape(n, cc, hc, 1, wc, 1).broadcast(new Shape(n, cc, hc, fh, wc, fw))
                .reshape(n, cc, config.height(), config.width());
        for (Parameter[] conv : conditionConvs) {
            NDArray y = Conv2d.conv2d(Activation.relu(e), ps.getValue(conv[0], e.getDevice(), training),
                    ps.getValue(conv[1], e.getDevice(), training), new Shape(1, 1), new Shape(1, 1), new Shape(1, 1))
                    .singletonOrThrow();
            e = e.add(y);
        }
        return e;
    }

    private void checkInputs(NDArray codes, NDArray labels, NDArray condition) {
        Shape s = codes.getShape();
        if (s.dimension() != 3 || s.get(1) != config.height() || s.get(2) != config.width()) {
            throw new IllegalArgumentException("code maps must be [N, " + config.height() + ", " + config.width()
                    + "] for this prior, got " + s);
        }
        if (labels.getShape().dimension() != 1 || labels.getShape().get(0) != s.get(0)) {
            throw new IllegalArgumentException("labels must be [" + s.get(0) + "], got " + labels.getShape());
        }
        if (config.conditioned() != (condition != null)) {
            throw new IllegalArgumentException(config.conditioned()
                    ? "this prior is conditioned on " + config.conditionHeight() + "x" + config.conditionWidth()
                            + " codes of the level above: pass them"
                    : "this prior is not conditioned on a code map");
        }
        if (condition != null) {
            Shape c = condition.getShape();
            if (c.dimension() != 3 || c.get(0) != s.get(0) || c.get(1) != config.conditionHeight()
                    || c.get(2) != config.conditionWidth()) {
                throw new IllegalArgumentException("conditioning codes must be [" + s.get(0) + ", "
                        + config.conditionHeight() + ", " + config.conditionWidth() + "], got " + c);
            }
        }
    }

    /**
     * With {@code fast}, a caching evaluator: for row i it runs each block's convolutions only on
     * the band of rows they see (the rows above come from a cache of every block's input), and
     * attends the row's queries to keys and values cached for all earlier rows (a finished row's
     * keys and values are computed once; only the current row's again at each position).
     * Otherwise the whole map every time.
     */
    @Override
    public RowLogits rowLogits(long[] labels, long[] condition, boolean fast, NDManager manager) {
        if (!fast) {
            return CodePrior.super.rowLogits(labels, condition, false, manager);
        }
        return new CachedRows(labels, condition, manager);
    }

    /**
     * Row-by-row evaluation with a cache of block inputs, keys and values (inference only). The
     * cached arrays live in their own manager; for each call they are lent to the caller's manager
     * ({@code tempAttach}), so everything computed from them is freed with it.
     */
    private final class CachedRows implements RowLogits {

        private final NDManager cache;
        private final ParameterStore ps;
        private final int n;
        private final NDArray labels;
        private final NDArray features;
        private final NDArray[] vIn; // per block: inputs of the finished rows [N, C, r, W]
        private final NDArray[] hIn;
        private final NDArray[] keys; // per block: [N, heads, r * W, dk]
        private final NDArray[] values;
        private final NDArray[] pendingV; // per block: the current row's input and features
        private final NDArray[] pendingH;
        private final NDArray[] pendingFeatures;
        private NDManager pending;

        CachedRows(long[] labelValues, long[] condition, NDManager manager) {
            if ((condition != null) != config.conditioned()) {
                throw new IllegalArgumentException(config.conditioned()
                        ? "this prior is conditioned on the level above: pass its codes"
                        : "this prior is not conditioned on a code map");
            }
            cache = manager.newSubManager();
            pending = cache.newSubManager();
            ps = new ParameterStore(cache, false);
            n = labelValues.length;
            labels = cache.create(labelValues);
            features = condition == null ? null : conditionFeatures(ps,
                    cache.create(condition, new Shape(n, config.conditionHeight(), config.conditionWidth())), false);
            int blocks = convs.size();
            vIn = new NDArray[blocks];
            hIn = new NDArray[blocks];
            keys = new NDArray[blocks];
            values = new NDArray[blocks];
            pendingV = new NDArray[blocks];
            pendingH = new NDArray[blocks];
            pendingFeatures = new NDArray[blocks];
        }

        /** Lends every cached array to a manager until it closes. */
        private void lend(NDManager m) {
            List<NDArray> held = new ArrayList<>();
            held.add(labels);
            held.add(features);
            for (NDArray[] arrays : List.of(vIn, hIn, keys, values, pendingV, pendingH, pendingFeatures)) {
                held.addAll(java.util.Arrays.asList(arrays));
            }
            for (NDArray a : held) {
                if (a != null) {
                    a.tempAttach(m);
                }
            }
        }

        @Override
        public NDArray logits(long[] codes, int row, NDManager m) {
            pending.close();
            pending = cache.newSubManager();
            java.util.Arrays.fill(pendingV, null);
            java.util.Arrays.fill(pendingH, null);
            java.util.Arrays.fill(pendingFeatures, null);
            lend(m);
            int w = config.width();
            int half = config.kernel() / 2;
            int top = Math.max(0, row - half);
            NDArray x = embed(ps, band(codes, m, top, row + 1), false);
            NDArray xRow = lastRow(x);
            NDList state = first.forward(ps, stream(x, x, labels, crop(top, row + 1)), false, null);
            NDArray v = lastRow(state.get(0));
            NDArray hs = lastRow(state.get(1));
            NDArray pos = CausalAttention.positions(m, n, config.height(), w, row, row + 1);
            for (int b = 0; b < convs.size(); b++) {
                pendingV[b] = v;
                pendingH[b] = hs;
                int from = Math.max(0, row - convs.get(b).size() * half);
                state = stream(withCached(vIn[b], v, from, row), withCached(hIn[b], hs, from, row), labels,
                        crop(from, row + 1));
                for (GatedLayer layer : convs.get(b)) {
                    state = layer.forward(ps, state, false, null);
                }
                v = lastRow(state.get(0));
                hs = lastRow(state.get(1));
                if (config.attention()) {
                    CausalAttention a = attentions.get(b);
                    pendingFeatures[b] = hs;
                    NDArray[] kv = a.keysValues(ps, hs, xRow, pos, false);
                    NDArray k = keys[b] == null ? kv[0] : keys[b].concat(kv[0], 2);
                    NDArray val = values[b] == null ? kv[1] : values[b].concat(kv[1], 2);
                    NDArray read = a.attend(a.queries(ps, hs, pos, false), k, val, row * w);
                    hs = hs.add(a.project(ps, read, 1, w, false));
                }
            }
            NDArray logits = head(ps, hs, false).squeeze(2);
            for (NDArray[] arrays : List.of(pendingV, pendingH, pendingFeatures)) {
                for (NDArray a : arrays) {
                    if (a != null) {
                        a.attach(pending); // kept for finishRow
                    }
                }
            }
            return logits;
        }

        @Override
        public void finishRow(long[] codes, int row) {
            List<NDArray> stale = new ArrayList<>();
            try (NDManager m = cache.newSubManager()) {
                lend(m);
                NDArray xRow = embed(ps, band(codes, m, row, row + 1), false);
                NDArray pos = CausalAttention.positions(m, n, config.height(), config.width(), row, row + 1);
                for (int b = 0; b < convs.size(); b++) {
                    NDArray[] kv = config.attention()
                            // the row's last code is known only now: the row's keys and values again
                            ? attentions.get(b).keysValues(ps, pendingFeatures[b], xRow, pos, false) : null;
                    vIn[b] = append(vIn[b], pendingV[b], stale);
                    hIn[b] = append(hIn[b], pendingH[b], stale);
                    if (kv != null) {
                        keys[b] = append(keys[b], kv[0], stale);
                        values[b] = append(values[b], kv[1], stale);
                    }
                }
            }
            stale.forEach(NDArray::close);
        }

        private NDArray append(NDArray cached, NDArray row, List<NDArray> stale) {
            NDArray joined = cached == null ? row.duplicate() : cached.concat(row, 2);
            joined.attach(cache);
            if (cached != null) {
                stale.add(cached);
            }
            return joined;
        }

        @Override
        public void close() {
            cache.close();
        }

        private NDArray band(long[] codes, NDManager m, int from, int to) {
            return CodeRows.band(codes, n, config.height(), config.width(), from, to, m);
        }

        private NDArray crop(int from, int to) {
            return features == null ? null : features.get(new NDIndex(":, :, {}:{}, :", from, to));
        }

        private NDArray withCached(NDArray cached, NDArray row, int from, int current) {
            if (from == current) {
                return row;
            }
            return NDArrays.concat(new NDList(cached.get(new NDIndex(":, :, {}:{}, :", from, current)), row), 2);
        }

        private NDArray lastRow(NDArray map) {
            return map.get(new NDIndex(":, :, -1:, :"));
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        Shape map = new Shape(s.get(0), config.channels(), s.get(1), s.get(2));
        Shape[] layerShapes = config.conditioned()
                ? new Shape[] {map, map, inputShapes[1], new Shape(s.get(0), config.conditionChannels(), s.get(1), s.get(2))}
                : new Shape[] {map, map, inputShapes[1]};
        first.initialize(manager, DataType.FLOAT32, layerShapes);
        for (int b = 0; b < convs.size(); b++) {
            for (GatedLayer l : convs.get(b)) {
                l.initialize(manager, DataType.FLOAT32, layerShapes);
            }
            if (config.attention()) {
                attentions.get(b).initialize(manager, DataType.FLOAT32, map, map);
            }
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), config.numCodes(), s.get(1), s.get(2))};
    }
}
