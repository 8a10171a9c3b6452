package org.vqvae.core.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.vqvae.core.quantize.EmaVectorQuantizer;
import org.vqvae.core.quantize.VectorQuantizer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * VQ-VAE (van den Oord et al. 2017, arXiv 1711.00937): encoder, vector quantizer, decoder.
 *
 * <p>{@code forward} takes images {@code [N, C, H, W]} (pixels in [-0.5, 0.5]) and returns, in
 * this order: the reconstruction {@code [N, C, H, W]}, the VQ loss (scalar), the code map {@code
 * [N, H/f, W/f]} (int64) and the batch's codebook perplexity (scalar). {@link #encode} and {@link
 * #decode} convert between images and integer code maps without a Trainer.
 */
public final class VqVae extends AbstractBlock implements CodeModel {

    private static final byte VERSION = 1;

    /** Position of the perplexity in the forward output. */
    public static final int PERPLEXITY = 3;

    private final VqVaeConfig config;
    private final Block encoder;
    private final VectorQuantizer quantizer;
    private final Block decoder;

    /**
     * Builds an uninitialised model from its configuration.
     *
     * @param config the configuration (validated here)
     */
    public VqVae(VqVaeConfig config) {
        super(VERSION);
        this.config = config.validate();
        encoder = addChildBlock("encoder", Encoder.build(config));
        quantizer =
                addChildBlock(
                        "quantizer",
                        config.ema()
                                ? EmaVectorQuantizer.emaBuilder()
                                        .setNumCodes(config.numCodes())
                                        .setCodeDim(config.codeDim())
                                        .optBeta(config.beta())
                                        .optDecay(config.emaDecay())
                                        .optEpsilon(config.emaEpsilon())
                                        .optRestartAfter(config.restartAfter())
                                        .optKMeansInit(config.kmeansInit())
                                        .build()
                                : VectorQuantizer.builder()
                                        .setNumCodes(config.numCodes())
                                        .setCodeDim(config.codeDim())
                                        .optBeta(config.beta())
                                        .optRestartAfter(config.restartAfter())
                                        .optKMeansInit(config.kmeansInit())
                                        .build());
        decoder = addChildBlock("decoder", Decoder.build(config));
    }

    /**
     * Returns the configuration this model was built from.
     *
     * @return the configuration
     */
    public VqVaeConfig getConfig() {
        return config;
    }

    @Override
    public int levels() {
        return 1;
    }

    @Override
    public int numCodes(int level) {
        return config.numCodes();
    }

    @Override
    public int[] codeSize(int level) {
        return new int[] {config.codeHeight(), config.codeWidth()};
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
    public NDList encodeLevels(NDArray images) {
        return new NDList(encode(images));
    }

    @Override
    public NDArray decodeLevels(NDList codes) {
        return decode(codes.singletonOrThrow());
    }

    /**
     * Returns the quantizer block.
     *
     * @return the quantizer
     */
    public VectorQuantizer getQuantizer() {
        return quantizer;
    }

    /**
     * Returns the input shape for a batch of the configured image size.
     *
     * @param batch batch size
     * @return {@code [batch, C, H, W]}
     */
    @Override
    public Shape inputShape(long batch) {
        return new Shape(batch, config.imageChannels(), config.imageHeight(), config.imageWidth());
    }

    /**
     * Creates the parameters (when not yet done), for images of the configured size.
     *
     * @param manager the manager owning the parameters
     * @return this model
     */
    @Override
    public VqVae initialize(NDManager manager) {
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
        NDArray x = inputs.head();
        checkImages(x);
        NDArray z = encoder.forward(ps, new NDList(x), training, params).singletonOrThrow();
        NDList q = quantizer.forward(ps, new NDList(z), training, params);
        NDArray recon = decoder.forward(ps, new NDList(q.get(0)), training, params).singletonOrThrow();
        return new NDList(recon, q.get(2), q.get(1), q.get(3));
    }

    /**
     * Encodes images to integer code maps (inference mode: no EMA update).
     *
     * @param images {@code [N, C, H, W]}, pixels in [-0.5, 0.5]
     * @return {@code [N, H/f, W/f]} int64 codes
     */
    public NDArray encode(NDArray images) {
        checkImages(images);
        ParameterStore ps = new ParameterStore(images.getManager(), false);
        NDArray z = encoder.forward(ps, new NDList(images), false).singletonOrThrow();
        return quantizer.forward(ps, new NDList(z), false).get(1);
    }

    /**
     * Decodes integer code maps to images.
     *
     * @param codes {@code [N, h, w]} integer codes in {@code [0, K)}
     * @return {@code [N, C, h*f, w*f]}
     */
    public NDArray decode(NDArray codes) {
        ParameterStore ps = new ParameterStore(codes.getManager(), false);
        NDArray q = quantizer.lookup(ps, codes);
        return decoder.forward(ps, new NDList(q), false).singletonOrThrow();
    }

    /**
     * Reconstructs images through the codes (inference mode).
     *
     * @param images {@code [N, C, H, W]}
     * @return {@code [N, C, H, W]}
     */
    @Override
    public NDArray reconstruct(NDArray images) {
        ParameterStore ps = new ParameterStore(images.getManager(), false);
        return forward(ps, new NDList(images), false).get(RECONSTRUCTION);
    }

    private void checkImages(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != config.imageChannels()) {
            throw new IllegalArgumentException(
                    "images must be [N, " + config.imageChannels() + ", H, W], got " + s);
        }
        if (s.get(2) % config.downsample() != 0 || s.get(3) % config.downsample() != 0) {
            throw new IllegalArgumentException("image size " + s.get(2) + "x" + s.get(3)
                    + " is not divisible by the downsampling factor " + config.downsample());
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, inputShapes);
        Shape[] z = encoder.getOutputShapes(inputShapes);
        quantizer.initialize(manager, dataType, z);
        decoder.initialize(manager, dataType, z);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        int f = config.downsample();
        return new Shape[] {in, new Shape(), new Shape(in.get(0), in.get(2) / f, in.get(3) / f), new Shape()};
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        super.saveMetadata(os);
        os.writeUTF(config.toJson());
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("unsupported VQ-VAE parameter file version " + loadVersion);
        }
        super.loadMetadata(loadVersion, is);
        VqVaeConfig saved;
        try {
            saved = VqVaeConfig.fromJson(is.readUTF());
        } catch (IllegalArgumentException e) {
            throw new MalformedModelException("parameter file holds an unreadable config", e);
        }
        if (!saved.equals(config)) {
            throw new MalformedModelException("parameter file was saved from a different model config: "
                    + saved + " vs " + config);
        }
    }
}
