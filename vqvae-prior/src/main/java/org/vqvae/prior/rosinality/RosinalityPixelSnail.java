package org.vqvae.prior.rosinality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

import org.vqvae.core.io.HostArrays;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.CodeRows;
import org.vqvae.prior.PriorConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PixelSNAIL of rosinality/vq-vae-2-pytorch ({@code pixelsnail.py}), computing what it computes
 * in eval mode, so priors trained there can be imported from their state_dict ({@link
 * #fromStateDict}) and sampled, evaluated and saved like this library's priors.
 *
 * <ul>
 *   <li>input: the one-hot codes through two weight-normalised causal convolutions, a {@code
 *       kernel/2 x kernel} one over the rows above (shifted down a row) and a {@code (kernel+1)/2 x
 *       kernel/2} one over the current row's left part (shifted right a column), summed;
 *   <li>{@code n_block} blocks of causal gated residual blocks, then causal attention or a 1x1
 *       convolution, both fed a positional background ({@code (i - H/2) / H}, {@code (j - W/2) /
 *       W});
 *   <li>a bottom prior's condition: the one-hot codes of the level above through a same-padded
 *       gated ResNet, upsampled by 2 (nearest), added in every causal residual block;
 *   <li>output: optional 1x1 gated blocks, ELU, a 1x1 convolution to K logits.
 * </ul>
 *
 * <p>Differences from this library's {@link org.vqvae.prior.PixelSnail}: no class conditioning
 * (labels are accepted and ignored), weight normalisation, ELU and GLU gates instead of the Gated
 * PixelCNN's two stacks, attention read-outs that are not projected but gated into the stream, no
 * residual around an attention-free block.
 *
 * <p>Parameters are named by their state_dict keys ({@code getParameters()} keys equal them);
 * {@code background}, a buffer there, is recomputed. Input {@code NDList(codes [N, h, W], labels
 * [N][, condition [N, H/2, W/2]])} with {@code h <= H} (the first h rows, as rosinality's sampler
 * passes them); output {@code NDList(logits [N, K, h, W])}.
 */
public final class RosinalityPixelSnail extends AbstractBlock implements CodePrior {

    /** The {@code "arch"} tag of its configuration JSON. */
    public static final String ARCH = "rosinality-pixelsnail";

    private static final byte VERSION = 1;

    private final RosinalityPixelSnailConfig config;
    private final Map<String, Parameter> keyed = new LinkedHashMap<>();
    private final WnConv2d horizontal;
    private final WnConv2d vertical;
    private final List<PixelBlock> blocks = new ArrayList<>();
    private final CondResNet condResNet;
    private final List<GatedResBlock> outBlocks = new ArrayList<>();
    private final WnConv2d out;

    /**
     * Builds an uninitialised prior (a fresh one has {@code g = 1}: unit-norm weights).
     *
     * @param config its configuration (validated here)
     */
    public RosinalityPixelSnail(RosinalityPixelSnailConfig config) {
        super(VERSION);
        this.config = config.validate();
        ParameterSink sink = this::register;
        int k = config.numCodes();
        int c = config.channel();
        int kernel = config.kernel();
        horizontal = new WnConv2d(sink, "horizontal.conv.conv", k, c, kernel / 2, kernel, WnConv2d.Padding.DOWN, true);
        vertical = new WnConv2d(sink, "vertical.conv.conv", k, c, (kernel + 1) / 2, kernel / 2,
                WnConv2d.Padding.DOWNRIGHT, true);
        for (int b = 0; b < config.nBlock(); b++) {
            blocks.add(new PixelBlock(sink, "blocks." + b, config));
        }
        condResNet = config.conditioned()
                ? new CondResNet(sink, k, config.condResChannel(), config.condResKernel(), config.nCondResBlock(),
                        config.legacyInplaceElu())
                : null;
        for (int i = 0; i < config.nOutResBlock(); i++) {
            // GatedResBlock's default dropout in rosinality, not the model's
            outBlocks.add(new GatedResBlock(sink, "out." + i, c, config.resChannel(), 1, false, 0.1f, 0, 0,
                    config.legacyInplaceElu()));
        }
        // out.{n} is the ELU, out.{n + 1} the last convolution
        out = new WnConv2d(sink, "out." + (config.nOutResBlock() + 1) + ".conv", c, k, 1, 1, WnConv2d.Padding.SAME,
                true);
    }

    private Parameter register(String key, Shape shape) {
        Parameter.Builder b = Parameter.builder().setName(key).optShape(shape);
        if (key.endsWith(".weight_g")) {
            b.setType(Parameter.Type.OTHER).optInitializer(new ConstantInitializer(1f));
        } else if (key.endsWith(".weight_v")) {
            b.setType(Parameter.Type.WEIGHT).optInitializer(new NormalInitializer(0.05f));
        } else {
            b.setType(Parameter.Type.BIAS).optInitializer(new ConstantInitializer(0f));
        }
        Parameter p = addParameter(b.build());
        keyed.put(key, p);
        return p;
    }

    /**
     * Builds a prior from a rosinality state_dict, its configuration inferred from the keys and
     * shapes ({@link RosinalityPixelSnailConfig#inferFrom}).
     *
     * @param stateDict every state_dict tensor by key (any float type; left open)
     * @param manager owner of the parameters
     * @return the initialised prior holding the state_dict's weights
     * @throws IllegalArgumentException naming the key that is missing, unexpected or of the wrong shape
     */
    public static RosinalityPixelSnail fromStateDict(Map<String, NDArray> stateDict, NDManager manager) {
        return fromStateDict(RosinalityPixelSnailConfig.inferFrom(shapes(stateDict)), stateDict, manager);
    }

    /**
     * Builds a prior of a given configuration from a rosinality state_dict, which must hold exactly
     * its keys with their shapes.
     *
     * @param config the configuration
     * @param stateDict every state_dict tensor by key (any float type; left open)
     * @param manager owner of the parameters
     * @return the initialised prior holding the state_dict's weights
     * @throws IllegalArgumentException naming the key that is missing, unexpected or of the wrong shape
     */
    public static RosinalityPixelSnail fromStateDict(RosinalityPixelSnailConfig config, Map<String, NDArray> stateDict,
            NDManager manager) {
        RosinalityPixelSnail prior = new RosinalityPixelSnail(config);
        Map<String, Shape> expected = prior.stateDictShapes();
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            NDArray a = stateDict.get(e.getKey());
            if (a == null) {
                throw new IllegalArgumentException("the state_dict has no '" + e.getKey() + "' " + e.getValue()
                        + ", which " + prior.describe() + " needs");
            }
            if (!a.getShape().equals(e.getValue())) {
                throw new IllegalArgumentException("state_dict key '" + e.getKey() + "' is " + a.getShape() + ", "
                        + prior.describe() + " needs " + e.getValue());
            }
        }
        for (String key : stateDict.keySet()) {
            if (!expected.containsKey(key)) {
                throw new IllegalArgumentException("the state_dict holds '" + key + "' " + stateDict.get(key).getShape()
                        + ", which " + prior.describe() + " has no place for");
            }
        }
        float[] background = stateDict.get("background").toType(DataType.FLOAT32, false).toFloatArray();
        float[] ours = background(config.height(), config.height(), config.width());
        for (int i = 0; i < ours.length; i++) {
            if (Math.abs(background[i] - ours[i]) > 1e-6f) {
                throw new IllegalArgumentException("the state_dict's 'background' differs from rosinality's row and "
                        + "column coordinates at element " + i + " (" + background[i] + ", expected " + ours[i] + ")");
            }
        }
        prior.initialize(manager);
        for (Map.Entry<String, Parameter> e : prior.keyed.entrySet()) {
            e.getValue().getArray().set(stateDict.get(e.getKey()).toType(DataType.FLOAT32, false).toFloatArray());
        }
        return prior;
    }

    private static Map<String, Shape> shapes(Map<String, NDArray> stateDict) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        stateDict.forEach((k, v) -> shapes.put(k, v.getShape()));
        return shapes;
    }

    private String describe() {
        RosinalityPixelSnailConfig c = config;
        return "a rosinality PixelSNAIL of n_class " + c.numCodes() + ", shape " + c.height() + "x" + c.width()
                + ", channel " + c.channel() + ", kernel_size " + c.kernelSize() + ", n_block " + c.nBlock()
                + ", n_res_block " + c.nResBlock() + ", res_channel " + c.resChannel() + ", attention "
                + c.attention() + ", n_cond_res_block " + c.nCondResBlock() + ", cond_res_channel "
                + c.condResChannel() + ", n_out_res_block " + c.nOutResBlock();
    }

    /**
     * Returns every key of the state_dict this prior is loaded from, with its shape, in module order
     * ({@code background} first).
     *
     * @return key to shape
     */
    public Map<String, Shape> stateDictShapes() {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put("background", new Shape(1, 2, config.height(), config.width()));
        keyed.forEach((k, p) -> shapes.put(k, p.getShape()));
        return shapes;
    }

    /**
     * Returns the configuration.
     *
     * @return the configuration
     */
    public RosinalityPixelSnailConfig getConfig() {
        return config;
    }

    @Override
    public PriorConfig priorConfig() {
        return config;
    }

    @Override
    public RosinalityPixelSnail initialize(NDManager manager) {
        if (!isInitialized()) {
            initialize(manager, DataType.FLOAT32, new Shape(1, config.height(), config.width()), new Shape(1));
        }
        return this;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray codes = inputs.get(0);
        NDArray condition = inputs.size() > 2 ? inputs.get(2) : null;
        checkInputs(codes, condition);
        NDArray features = condition == null ? null : conditionFeatures(ps, condition, training);
        return new NDList(logits(ps, codes, features, training));
    }

    /**
     * The logits of the first rows of the maps.
     *
     * @param codes {@code [N, h, W]} codes, {@code h <= H}
     * @param features the condition features of the whole map {@code [N, Cc, H, W]}, or null
     */
    private NDArray logits(ParameterStore ps, NDArray codes, NDArray features, boolean training) {
        long n = codes.getShape().get(0);
        int h = (int) codes.getShape().get(1);
        int w = config.width();
        NDArray x = codes.toType(DataType.INT64, false).oneHot(config.numCodes()).transpose(0, 3, 1, 2);
        NDArray above = horizontal.forward(ps, x, training).pad(new Shape(0, 0, 1, 0), 0)
                .get(new NDIndex(":, :, :{}, :", h));
        NDArray left = vertical.forward(ps, x, training).pad(new Shape(1, 0, 0, 0), 0)
                .get(new NDIndex(":, :, :, :{}", w));
        NDArray stream = above.add(left);
        NDArray background = HostArrays.floats(codes.getManager(), background(h, config.height(), w),
                new Shape(1, 2, h, w)).broadcast(new Shape(n, 2, h, w));
        NDArray cond = features == null ? null : features.get(new NDIndex(":, :, :{}, :", h));
        for (PixelBlock b : blocks) {
            stream = b.forward(ps, stream, background, cond, training);
        }
        for (GatedResBlock b : outBlocks) {
            stream = b.forward(ps, stream, null, null, training);
        }
        return out.forward(ps, GatedResBlock.elu(stream), training);
    }

    /** Condition codes {@code [N, H/2, W/2]} to features {@code [N, Cc, H, W]}. */
    private NDArray conditionFeatures(ParameterStore ps, NDArray condition, boolean training) {
        NDArray x = condition.toType(DataType.INT64, false).oneHot(config.numCodes()).transpose(0, 3, 1, 2);
        NDArray f = condResNet.forward(ps, x, training);
        Shape s = f.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long hc = s.get(2);
        long wc = s.get(3);
        // nearest upsampling by 2 (F.interpolate(scale_factor=2))
        return f.reshape(n, c, hc, 1, wc, 1).broadcast(new Shape(n, c, hc, 2, wc, 2)).reshape(n, c, 2 * hc, 2 * wc);
    }

    /** rosinality's background, rows {@code [0, rows)}: row {@code (i - H/2) / H}, column {@code (j - W/2) / W}. */
    private static float[] background(int rows, int height, int width) {
        float[] bg = new float[2 * rows * width];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < width; j++) {
                bg[i * width + j] = (i - height / 2f) / height;
                bg[rows * width + i * width + j] = (j - width / 2f) / width;
            }
        }
        return bg;
    }

    private void checkInputs(NDArray codes, NDArray condition) {
        Shape s = codes.getShape();
        if (s.dimension() != 3 || s.get(1) < 1 || s.get(1) > config.height() || s.get(2) != config.width()) {
            throw new IllegalArgumentException("code maps must be [N, " + config.height() + ", " + config.width()
                    + "] (or their first rows) for this prior, got " + s);
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
     * With {@code fast}, row i is computed from rows {@code [0, i]} only (everything is causal, so
     * the later rows change nothing above them: exact) and the condition features once, as
     * rosinality's own sampler does; otherwise the whole map every time.
     */
    @Override
    public RowLogits rowLogits(long[] labels, long[] condition, boolean fast, NDManager manager) {
        if (!fast) {
            return CodePrior.super.rowLogits(labels, condition, false, manager);
        }
        if ((condition != null) != config.conditioned()) {
            throw new IllegalArgumentException(config.conditioned()
                    ? "this prior is conditioned on the level above: pass its codes"
                    : "this prior is not conditioned on a code map");
        }
        int n = labels.length;
        NDManager cache = manager.newSubManager();
        NDArray features = condition == null ? null : conditionFeatures(new ParameterStore(cache, false),
                HostArrays.longs(cache, condition, new Shape(n, config.conditionHeight(), config.conditionWidth())),
                false);
        return new RowLogits() {
            @Override
            public NDArray logits(long[] codes, int row, NDManager m) {
                if (features != null) {
                    features.tempAttach(m); // lent to the step: what is computed from it is freed with it
                }
                NDArray rows = CodeRows.band(codes, n, config.height(), config.width(), 0, row + 1, m);
                return RosinalityPixelSnail.this.logits(new ParameterStore(m, false), rows, features, false)
                        .get(new NDIndex(":, :, {}, :", row));
            }

            @Override
            public void close() {
                cache.close();
            }
        };
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), config.numCodes(), s.get(1), s.get(2))};
    }
}
