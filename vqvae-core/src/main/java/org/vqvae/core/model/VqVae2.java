package org.vqvae.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.vqvae.core.quantize.EmaVectorQuantizer;
import org.vqvae.core.quantize.VectorQuantizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * VQ-VAE-2 (Razavi et al. 2019, arXiv 1906.00446): a hierarchy of code maps, the bottom at 1/4 of
 * the image and each higher level a further 1/2 (32x32 bottom and 16x16... top for 128x128 images;
 * 64x64 and 32x32 for 256x256).
 *
 * <p>Top-down, as in the paper and rosinality's implementation: the top encoder output is
 * quantized first; each lower level's quantizer input is its encoder output concatenated with a
 * decoding of the level above. The decoder takes the bottom codes concatenated with the higher
 * levels' codes upsampled to the bottom resolution. {@code forward} returns {@code [reconstruction,
 * summed VQ loss, codes per level (bottom first), perplexity per level]}.
 */
public final class VqVae2 extends AbstractBlock implements CodeModel {

    private static final byte VERSION = 1;

    private final VqVae2Config config;
    private final List<Block> encoders = new ArrayList<>();
    private final List<Block> quantConvs = new ArrayList<>();
    private final List<VectorQuantizer> quantizers = new ArrayList<>();
    private final List<Block> conditioners = new ArrayList<>();
    private final List<Block> upsamplers = new ArrayList<>();
    private final Block decoder;

    /**
     * Builds an uninitialised model.
     *
     * @param config the configuration (validated here)
     */
    public VqVae2(VqVae2Config config) {
        super(VERSION);
        this.config = config.validate();
        int n = config.levels();
        int h = config.hiddenChannels();
        int rc = config.residualChannels();
        int rb = config.residualBlocks();
        for (int l = 0; l < n; l++) {
            encoders.add(addChildBlock("encoder" + l, Encoder.trunk(h, rc, rb, l == 0 ? 4 : 2)));
        }
        for (int l = 0; l < n; l++) {
            int d = config.codeDims().get(l);
            quantConvs.add(addChildBlock("quantConv" + l, ResidualStack.Layers.conv(d, 1, 1, 0)));
            quantizers.add(addChildBlock("quantizer" + l, quantizer(l)));
            if (l < n - 1) {
                int above = config.codeDims().get(l + 1);
                conditioners.add(addChildBlock("conditioner" + l, Decoder.build(above, h, rc, rb, 2)));
            }
            if (l > 0) {
                SequentialBlock up = new SequentialBlock();
                for (int i = 0; i < l; i++) {
                    if (i > 0) {
                        up.add(Activation.reluBlock());
                    }
                    up.add(new UpsampleConv(d));
                }
                upsamplers.add(addChildBlock("upsample" + l, up));
            }
        }
        decoder = addChildBlock("decoder", Decoder.build(config.imageChannels(), h, rc, rb, 4));
    }

    private VectorQuantizer quantizer(int level) {
        int k = config.numCodes().get(level);
        int d = config.codeDims().get(level);
        if (config.ema()) {
            return EmaVectorQuantizer.emaBuilder().setNumCodes(k).setCodeDim(d).optBeta(config.beta())
                    .optDecay(config.emaDecay()).optEpsilon(config.emaEpsilon())
                    .optRestartAfter(config.restartAfter()).optKMeansInit(config.kmeansInit()).build();
        }
        return VectorQuantizer.builder().setNumCodes(k).setCodeDim(d).optBeta(config.beta())
                .optRestartAfter(config.restartAfter()).optKMeansInit(config.kmeansInit()).build();
    }

    /**
     * Returns the configuration.
     *
     * @return the configuration
     */
    public VqVae2Config getConfig() {
        return config;
    }

    /**
     * Returns a level's quantizer.
     *
     * @param level 0 = bottom
     * @return the quantizer
     */
    public VectorQuantizer getQuantizer(int level) {
        return quantizers.get(level);
    }

    @Override
    public int levels() {
        return config.levels();
    }

    @Override
    public int numCodes(int level) {
        return config.numCodes().get(level);
    }

    @Override
    public int[] codeSize(int level) {
        return new int[] {config.imageHeight() / config.factor(level), config.imageWidth() / config.factor(level)};
    }

    @Override
    public String configJson() {
        return config.toJson();
    }

    @Override
    public boolean ema() {
        return config.ema();
    }

    @Override
    public Shape inputShape(long batch) {
        return new Shape(batch, config.imageChannels(), config.imageHeight(), config.imageWidth());
    }

    @Override
    public VqVae2 initialize(NDManager manager) {
        if (!isInitialized()) {
            initialize(manager, DataType.FLOAT32, inputShape(1));
            TorchDefaultInit.apply(this, manager);
        }
        return this;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Encoded e = encode(ps, inputs.head(), training, params);
        NDList out = new NDList(decode(ps, e.quantized, training, params), e.loss);
        for (NDArray c : e.codes) {
            out.add(c);
        }
        for (NDArray p : e.perplexity) {
            out.add(p);
        }
        return out;
    }

    /** What the encoders and quantizers produce, per level, bottom first. */
    private record Encoded(NDArray[] quantized, NDArray[] codes, NDArray[] perplexity, NDArray loss) {}

    /** Encoders bottom-up, then quantizers top-down, each level below conditioned on the one above. */
    private Encoded encode(ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params) {
        checkImages(x);
        int n = levels();
        NDArray[] enc = new NDArray[n];
        NDArray prev = x;
        for (int l = 0; l < n; l++) {
            enc[l] = encoders.get(l).forward(ps, new NDList(prev), training, params).singletonOrThrow();
            prev = enc[l];
        }
        NDArray[] quantized = new NDArray[n];
        NDArray[] codes = new NDArray[n];
        NDArray[] perplexity = new NDArray[n];
        NDArray loss = null;
        for (int l = n - 1; l >= 0; l--) {
            NDArray in = enc[l];
            if (l < n - 1) {
                NDArray cond = conditioners.get(l).forward(ps, new NDList(quantized[l + 1]), training, params)
                        .singletonOrThrow();
                in = cond.concat(enc[l], 1);
            }
            NDArray z = quantConvs.get(l).forward(ps, new NDList(in), training, params).singletonOrThrow();
            NDList q = quantizers.get(l).forward(ps, new NDList(z), training, params);
            quantized[l] = q.get(0);
            codes[l] = q.get(1);
            loss = loss == null ? q.get(2) : loss.add(q.get(2));
            perplexity[l] = q.get(3);
        }
        return new Encoded(quantized, codes, perplexity, loss);
    }

    private NDArray decode(ParameterStore ps, NDArray[] quantized, boolean training, PairList<String, Object> params) {
        NDList parts = new NDList(quantized[0]);
        for (int l = 1; l < quantized.length; l++) {
            parts.add(upsamplers.get(l - 1).forward(ps, new NDList(quantized[l]), training, params).singletonOrThrow());
        }
        return decoder.forward(ps, new NDList(NDArrays.concat(parts, 1)), training, params).singletonOrThrow();
    }

    @Override
    public NDList encodeLevels(NDArray images) {
        // no decoder: only the encoders and quantizers run
        return new NDList(encode(new ParameterStore(images.getManager(), false), images, false, null).codes);
    }

    @Override
    public NDArray decodeLevels(NDList codes) {
        return decodeFromLevels(codes, allLevels());
    }

    /**
     * Decodes with only some levels: the others are replaced by zeros, as the paper's figure 3 does.
     *
     * @param codes one code map per level, bottom first
     * @param keep the levels to use
     * @return images {@code [N, C, H, W]}
     */
    public NDArray decodeFromLevels(NDList codes, Collection<Integer> keep) {
        if (codes.size() != levels()) {
            throw new IllegalArgumentException("expected " + levels() + " code maps (bottom first), got " + codes.size());
        }
        ParameterStore ps = new ParameterStore(codes.head().getManager(), false);
        NDArray[] quantized = new NDArray[levels()];
        for (int l = 0; l < levels(); l++) {
            NDArray c = codes.get(l);
            Shape s = c.getShape();
            int f = config.factor(l);
            long n = codes.head().getShape().get(0);
            if (s.dimension() != 3 || s.get(0) != n || s.get(1) != config.imageHeight() / f
                    || s.get(2) != config.imageWidth() / f) {
                throw new IllegalArgumentException(levelName(l) + " codes must be [" + n + ", "
                        + config.imageHeight() / f + ", " + config.imageWidth() / f + "], got " + s);
            }
            quantized[l] = quantizers.get(l).lookup(ps, c);
            if (!keep.contains(l)) {
                quantized[l] = quantized[l].zerosLike();
            }
        }
        return decode(ps, quantized, false, null);
    }

    /**
     * Reconstructs images from some levels only.
     *
     * @param images {@code [N, C, H, W]}
     * @param keep the levels to use (0 = bottom)
     * @return the reconstruction
     */
    public NDArray reconstructFromLevels(NDArray images, Collection<Integer> keep) {
        return decodeFromLevels(encodeLevels(images), keep);
    }

    @Override
    public NDArray reconstruct(NDArray images) {
        ParameterStore ps = new ParameterStore(images.getManager(), false);
        return forward(ps, new NDList(images), false).get(RECONSTRUCTION);
    }

    private List<Integer> allLevels() {
        List<Integer> all = new ArrayList<>();
        for (int l = 0; l < levels(); l++) {
            all.add(l);
        }
        return all;
    }

    private void checkImages(NDArray x) {
        Shape s = x.getShape();
        int f = config.factor(levels() - 1);
        if (s.dimension() != 4 || s.get(1) != config.imageChannels() || s.get(2) % f != 0 || s.get(3) % f != 0) {
            throw new IllegalArgumentException("images must be [N, " + config.imageChannels()
                    + ", H, W] with H and W multiples of " + f + ", got " + s);
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        int n = levels();
        Shape[] enc = new Shape[n];
        Shape prev = inputShapes[0];
        for (int l = 0; l < n; l++) {
            encoders.get(l).initialize(manager, dataType, prev);
            enc[l] = encoders.get(l).getOutputShapes(new Shape[] {prev})[0];
            prev = enc[l];
        }
        Shape[] quant = new Shape[n];
        for (int l = n - 1; l >= 0; l--) {
            Shape in = enc[l];
            if (l < n - 1) {
                conditioners.get(l).initialize(manager, dataType, quant[l + 1]);
                Shape cond = conditioners.get(l).getOutputShapes(new Shape[] {quant[l + 1]})[0];
                in = new Shape(in.get(0), in.get(1) + cond.get(1), in.get(2), in.get(3));
            }
            quantConvs.get(l).initialize(manager, dataType, in);
            quant[l] = quantConvs.get(l).getOutputShapes(new Shape[] {in})[0];
            quantizers.get(l).initialize(manager, dataType, quant[l]);
        }
        long channels = quant[0].get(1);
        for (int l = 1; l < n; l++) {
            upsamplers.get(l - 1).initialize(manager, dataType, quant[l]);
            channels += quant[l].get(1);
        }
        Shape bottom = quant[0];
        decoder.initialize(manager, dataType, new Shape(bottom.get(0), channels, bottom.get(2), bottom.get(3)));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        List<Shape> out = new ArrayList<>();
        out.add(in);
        out.add(new Shape());
        for (int l = 0; l < levels(); l++) {
            int f = config.factor(l);
            out.add(new Shape(in.get(0), in.get(2) / f, in.get(3) / f));
        }
        for (int l = 0; l < levels(); l++) {
            out.add(new Shape());
        }
        return out.toArray(new Shape[0]);
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(java.io.DataOutputStream os) throws java.io.IOException {
        super.saveMetadata(os);
        os.writeUTF(config.toJson());
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, java.io.DataInputStream is)
            throws java.io.IOException, ai.djl.MalformedModelException {
        super.loadMetadata(loadVersion, is);
        VqVae2Config saved;
        try {
            saved = VqVae2Config.fromJson(is.readUTF());
        } catch (IllegalArgumentException e) {
            throw new ai.djl.MalformedModelException("parameter file holds an unreadable config", e);
        }
        if (!saved.equals(config)) {
            throw new ai.djl.MalformedModelException("parameter file was saved from a different model config");
        }
    }
}
