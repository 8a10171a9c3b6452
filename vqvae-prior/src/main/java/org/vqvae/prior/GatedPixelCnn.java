package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
 * Class-conditional Gated PixelCNN over integer code maps (van den Oord et al. 2016, "Conditional
 * Image Generation with PixelCNN Decoders"): a code embedding, a masked type-A {@link GatedLayer},
 * more gated layers, and a 1x1 head to K logits per position.
 *
 * <p>Input {@code NDList(codes [N, H, W] int64, labels [N] int64)}; output {@code NDList(logits
 * [N, K, H, W])}. The logits at a position depend only on positions before it in raster order.
 */
public final class GatedPixelCnn extends AbstractBlock implements CodePrior {

    private static final byte VERSION = 1;

    private final PixelCnnConfig config;
    private final Parameter embedding;
    private final List<GatedLayer> layers = new ArrayList<>();
    private final Parameter headWeight;
    private final Parameter headBias;
    private final Parameter outWeight;
    private final Parameter outBias;

    /**
     * Builds an uninitialised prior.
     *
     * @param config its configuration (validated here)
     */
    public GatedPixelCnn(PixelCnnConfig config) {
        super(VERSION);
        this.config = config.validate();
        int c = config.channels();
        embedding = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.numCodes(), c)).optInitializer(new NormalInitializer(1f)).build());
        for (int i = 0; i < config.layers(); i++) {
            layers.add(addChildBlock("gated" + i,
                    new GatedLayer(c, config.kernel(), config.numClasses(), i == 0, config.dropout())));
        }
        headWeight = addParameter(Parameter.builder().setName("headWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(2L * c, c, 1, 1)).build());
        headBias = addParameter(Parameter.builder().setName("headBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(2L * c)).build());
        outWeight = addParameter(Parameter.builder().setName("outWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.numCodes(), 2L * c, 1, 1)).build());
        outBias = addParameter(Parameter.builder().setName("outBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(config.numCodes())).build());
    }

    /**
     * Returns the configuration.
     *
     * @return the configuration
     */
    public PixelCnnConfig getConfig() {
        return config;
    }

    @Override
    public PriorConfig priorConfig() {
        return config;
    }







    /**
     * Creates the parameters (when not yet done).
     *
     * @param manager the manager owning the parameters
     * @return this prior
     */
    @Override
    public GatedPixelCnn initialize(NDManager manager) {
        if (!isInitialized()) {
            initialize(manager, DataType.FLOAT32, new Shape(1, config.height(), config.width()), new Shape(1));
            TorchDefaultInit.redrawConvolutionParametersRecursively(this, manager);
        }
        return this;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray codes = inputs.get(0);
        NDArray labels = inputs.get(1);
        if (inputs.size() > 2) {
            throw new IllegalArgumentException("a Gated PixelCNN prior is not conditioned on a code map");
        }
        checkInputs(codes, labels);
        // [N, H, W] -> [N, H, W, C] -> [N, C, H, W]
        NDArray x = Codebooks.lookup(codes, ps.getValue(embedding, codes.getDevice(), training)).transpose(0, 3, 1, 2);
        NDList state = new NDList(x, x, labels.toType(DataType.INT64, false));
        for (GatedLayer layer : layers) {
            state = layer.forward(ps, state, training, params);
        }
        NDArray h = Activation.relu(state.get(1));
        h = Conv2d.conv2d(h, ps.getValue(headWeight, h.getDevice(), training),
                ps.getValue(headBias, h.getDevice(), training)).singletonOrThrow();
        h = Activation.relu(h);
        NDArray logits = Conv2d.conv2d(h, ps.getValue(outWeight, h.getDevice(), training),
                ps.getValue(outBias, h.getDevice(), training)).singletonOrThrow();
        return new NDList(logits);
    }

    /**
     * Negative log-likelihood in nats per code, averaged over positions and images.
     *
     * @param logits {@code [N, K, H, W]}
     * @param codes {@code [N, H, W]}
     * @return a scalar
     */
    public static NDArray nll(NDArray logits, NDArray codes) {
        NDArray logp = logits.logSoftmax(1);
        return logp.gather(codes.toType(DataType.INT64, false).expandDims(1), 1).mean().neg();
    }

    private void checkInputs(NDArray codes, NDArray labels) {
        Shape s = codes.getShape();
        if (s.dimension() != 3 || s.get(2) != config.width() || s.get(1) > config.height()) {
            throw new IllegalArgumentException("code maps must be [N, " + config.height() + ", " + config.width()
                    + "] for this prior, got " + s);
        }
        if (labels.getShape().dimension() != 1 || labels.getShape().get(0) != s.get(0)) {
            throw new IllegalArgumentException("labels must be [" + s.get(0) + "], got " + labels.getShape());
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        Shape map = new Shape(s.get(0), config.channels(), s.get(1), s.get(2));
        for (GatedLayer l : layers) {
            l.initialize(manager, DataType.FLOAT32, map, map, inputShapes[1]);
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), config.numCodes(), s.get(1), s.get(2))};
    }
}
