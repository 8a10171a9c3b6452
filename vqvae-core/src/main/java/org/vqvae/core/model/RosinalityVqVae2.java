package org.vqvae.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

import org.vqvae.core.io.torch.TorchNamed;
import org.vqvae.core.quantize.Codebooks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * rosinality's VQ-VAE-2 (vq-vae-2-pytorch, vqvae.py {@code VQVAE}) rebuilt block for block, so a
 * checkpoint of it runs here with the same results: {@code enc_b} (1/4), {@code enc_t} (a further
 * 1/2, its strided convolution to {@code channel / 2}), {@code quantize_conv_t}, {@code quantize_t},
 * {@code dec_t}, {@code quantize_conv_b} on {@code [dec_t, enc_b]}, {@code quantize_b}, {@code
 * upsample_t} and {@code dec} on {@code [upsample_t, quant_b]}; transposed convolutions are computed
 * exactly by {@link UpsampleConv} from the source's {@code [Cin, Cout, 4, 4]} weights.
 *
 * <p>Towards the rest of this project it is an ordinary {@link CodeModel}: images come and go in
 * [-0.5, 0.5] and are scaled to the source's [-1, 1] at the boundary. Inference only: the EMA
 * buffers are carried, not updated.
 */
public final class RosinalityVqVae2 extends AbstractBlock implements CodeModel, TorchNamed {

    private static final byte VERSION = 1;

    private final RosinalityVqVae2Config config;
    /** state_dict module path (e.g. {@code enc_b.blocks.0}) to the block holding its weight and bias. */
    private final Map<String, Block> layers = new LinkedHashMap<>();
    private final Block encB;
    private final Block encT;
    private final Block quantizeConvT;
    private final RosinalityQuantize quantizeT;
    private final Block decT;
    private final Block quantizeConvB;
    private final RosinalityQuantize quantizeB;
    private final Block upsampleT;
    private final Block dec;

    /**
     * Builds an uninitialised model.
     *
     * @param config the configuration (validated here)
     */
    public RosinalityVqVae2(RosinalityVqVae2Config config) {
        super(VERSION);
        this.config = config.validate();
        int c = config.channel();
        int d = config.embedDim();
        encB = addChildBlock("enc_b", new Seq("enc_b").conv(c / 2, 4, 2, 1).relu().conv(c, 4, 2, 1).relu()
                .conv(c, 3, 1, 1).res().relu().block);
        encT = addChildBlock("enc_t", new Seq("enc_t").conv(c / 2, 4, 2, 1).relu().conv(c, 3, 1, 1).res().relu().block);
        quantizeConvT = addChildBlock("quantize_conv_t", layer("quantize_conv_t", ResidualStack.Layers.conv(d, 1, 1, 0)));
        quantizeT = addChildBlock("quantize_t", new RosinalityQuantize(d, config.numCodes()));
        decT = addChildBlock("dec_t", new Seq("dec_t").conv(c, 3, 1, 1).res().relu().up(d).block);
        quantizeConvB = addChildBlock("quantize_conv_b", layer("quantize_conv_b", ResidualStack.Layers.conv(d, 1, 1, 0)));
        quantizeB = addChildBlock("quantize_b", new RosinalityQuantize(d, config.numCodes()));
        upsampleT = addChildBlock("upsample_t", layer("upsample_t", new UpsampleConv(d)));
        dec = addChildBlock("dec", new Seq("dec").conv(c, 3, 1, 1).res().relu().up(c / 2).relu()
                .up(config.imageChannels()).block);
    }

    private Block layer(String name, Block block) {
        layers.put(name, block);
        return block;
    }

    /** Builds an {@code nn.Sequential} named {@code PREFIX.blocks.i}, recording its weighted layers. */
    private final class Seq {
        final SequentialBlock block = new SequentialBlock();
        final String prefix;
        int index;

        Seq(String prefix) {
            this.prefix = prefix + ".blocks.";
        }

        Seq conv(int filters, int kernel, int stride, int padding) {
            block.add(layer(prefix + index++, ResidualStack.Layers.conv(filters, kernel, stride, padding)));
            return this;
        }

        Seq up(int filters) {
            block.add(layer(prefix + index++, new UpsampleConv(filters)));
            return this;
        }

        Seq relu() {
            block.add(Activation.reluBlock());
            index++;
            return this;
        }

        /** {@code n_res_block} times {@code ResBlock}: {@code x + conv1x1(relu(conv3x3(relu(x))))}. */
        Seq res() {
            for (int i = 0; i < config.resBlocks(); i++) {
                String name = prefix + index++ + ".conv.";
                SequentialBlock branch = new SequentialBlock()
                        .add(Activation.reluBlock())
                        .add(layer(name + 1, ResidualStack.Layers.conv(config.resChannels(), 3, 1, 1)))
                        .add(Activation.reluBlock())
                        .add(layer(name + 3, ResidualStack.Layers.conv(config.channel(), 1, 1, 0)));
                block.add(new ParallelBlock(
                        list -> new NDList(list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
                        Arrays.asList(branch, Blocks.identityBlock())));
            }
            return this;
        }
    }

    /**
     * Returns the configuration.
     *
     * @return the configuration
     */
    public RosinalityVqVae2Config getConfig() {
        return config;
    }

    @Override
    public Map<String, Parameter> torchParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        // the source's registration order
        addLayers(out, "enc_b.", "enc_t.", "quantize_conv_t");
        quantizer("quantize_t", quantizeT, out);
        addLayers(out, "dec_t.", "quantize_conv_b");
        quantizer("quantize_b", quantizeB, out);
        addLayers(out, "upsample_t", "dec.");
        return out;
    }

    /** Adds the layers whose names start with the prefixes, in the order of construction. */
    private void addLayers(Map<String, Parameter> out, String... prefixes) {
        for (String prefix : prefixes) {
            for (Map.Entry<String, Block> e : layers.entrySet()) {
                if (e.getKey().startsWith(prefix) && (prefix.endsWith(".") || e.getKey().equals(prefix))) {
                    for (Pair<String, Parameter> p : e.getValue().getDirectParameters()) {
                        out.put(e.getKey() + "." + p.getKey(), p.getValue());
                    }
                }
            }
        }
    }

    private static void quantizer(String name, RosinalityQuantize q, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : q.getDirectParameters()) {
            out.put(name + "." + p.getKey(), p.getValue());
        }
    }

    @Override
    public int levels() {
        return 2;
    }

    @Override
    public int numCodes(int level) {
        checkLevel(level);
        return config.numCodes();
    }

    @Override
    public int[] codeSize(int level) {
        checkLevel(level);
        int f = level == 0 ? 4 : 8;
        return new int[] {config.imageHeight() / f, config.imageWidth() / f};
    }

    private static void checkLevel(int level) {
        if (level < 0 || level > 1) {
            throw new IllegalArgumentException("level must be 0 (bottom) or 1 (top), got " + level);
        }
    }

    @Override
    public String configJson() {
        return config.toJson();
    }

    @Override
    public boolean ema() {
        return true;
    }

    @Override
    public Shape inputShape(long batch) {
        return new Shape(batch, config.imageChannels(), config.imageHeight(), config.imageWidth());
    }

    @Override
    public RosinalityVqVae2 initialize(NDManager manager) {
        if (!isInitialized()) {
            initialize(manager, DataType.FLOAT32, inputShape(1));
        }
        return this;
    }

    /** What {@code VQVAE.encode} returns, bottom first. */
    private record Encoded(NDArray quantB, NDArray quantT, NDArray codesB, NDArray codesT, NDArray diff) {}

    private Encoded encode(ParameterStore ps, NDArray images, boolean training, PairList<String, Object> params) {
        checkImages(images);
        NDArray x = images.mul(2f); // this project's [-0.5, 0.5] to the source's [-1, 1]
        NDArray eb = encB.forward(ps, new NDList(x), training, params).singletonOrThrow();
        NDArray et = encT.forward(ps, new NDList(eb), training, params).singletonOrThrow();
        NDArray zt = quantizeConvT.forward(ps, new NDList(et), training, params).singletonOrThrow();
        NDList qt = quantizeT.forward(ps, new NDList(zt), training, params);
        NDArray dt = decT.forward(ps, new NDList(qt.get(0)), training, params).singletonOrThrow();
        NDArray zb = quantizeConvB.forward(ps, new NDList(dt.concat(eb, 1)), training, params).singletonOrThrow();
        NDList qb = quantizeB.forward(ps, new NDList(zb), training, params);
        return new Encoded(qb.get(0), qt.get(0), qb.get(1), qt.get(1), qt.get(2).add(qb.get(2)));
    }

    /** {@code VQVAE.decode}, scaled back to [-0.5, 0.5]. */
    private NDArray decode(ParameterStore ps, NDArray quantT, NDArray quantB, boolean training,
            PairList<String, Object> params) {
        NDArray up = upsampleT.forward(ps, new NDList(quantT), training, params).singletonOrThrow();
        return dec.forward(ps, new NDList(up.concat(quantB, 1)), training, params).singletonOrThrow().mul(0.5f);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (training) {
            throw new UnsupportedOperationException("an imported rosinality VQ-VAE-2 runs inference only");
        }
        Encoded e = encode(ps, inputs.head(), false, params);
        NDManager m = e.diff.getManager();
        NDArray pb = m.create((float) Codebooks.perplexity(Codebooks.counts(e.codesB, config.numCodes())));
        NDArray pt = m.create((float) Codebooks.perplexity(Codebooks.counts(e.codesT, config.numCodes())));
        return new NDList(decode(ps, e.quantT, e.quantB, false, params), e.diff, e.codesB, e.codesT, pb, pt);
    }

    @Override
    public NDList encodeLevels(NDArray images) {
        Encoded e = encode(new ParameterStore(images.getManager(), false), images, false, null);
        return new NDList(e.codesB, e.codesT);
    }

    @Override
    public NDArray decodeLevels(NDList codes) {
        if (codes.size() != 2) {
            throw new IllegalArgumentException("expected 2 code maps (bottom, top), got " + codes.size());
        }
        long n = codes.get(0).getShape().get(0);
        for (int l = 0; l < 2; l++) {
            int[] hw = codeSize(l);
            Shape s = codes.get(l).getShape();
            if (s.dimension() != 3 || s.get(0) != n || s.get(1) != hw[0] || s.get(2) != hw[1]) {
                throw new IllegalArgumentException(levelName(l) + " codes must be [" + n + ", " + hw[0] + ", " + hw[1]
                        + "], got " + s);
            }
        }
        ParameterStore ps = new ParameterStore(codes.head().getManager(), false);
        return decode(ps, quantizeT.lookup(ps, codes.get(1)), quantizeB.lookup(ps, codes.get(0)), false, null);
    }

    @Override
    public NDArray reconstruct(NDArray images) {
        return forward(new ParameterStore(images.getManager(), false), new NDList(images), false).get(RECONSTRUCTION);
    }

    private void checkImages(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != config.imageChannels() || s.get(2) % 8 != 0 || s.get(3) % 8 != 0) {
            throw new IllegalArgumentException("images must be [N, " + config.imageChannels()
                    + ", H, W] with H and W multiples of 8, got " + s);
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        int d = config.embedDim();
        int c = config.channel();
        long n = in.get(0);
        long h = in.get(2);
        long w = in.get(3);
        encB.initialize(manager, dataType, in);
        Shape eb = new Shape(n, c, h / 4, w / 4);
        encT.initialize(manager, dataType, eb);
        Shape et = new Shape(n, c, h / 8, w / 8);
        quantizeConvT.initialize(manager, dataType, et);
        Shape qt = new Shape(n, d, h / 8, w / 8);
        quantizeT.initialize(manager, dataType, qt);
        decT.initialize(manager, dataType, qt);
        quantizeConvB.initialize(manager, dataType, new Shape(n, d + c, h / 4, w / 4));
        Shape qb = new Shape(n, d, h / 4, w / 4);
        quantizeB.initialize(manager, dataType, qb);
        upsampleT.initialize(manager, dataType, qt);
        dec.initialize(manager, dataType, new Shape(n, 2L * d, h / 4, w / 4));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in, new Shape(), new Shape(in.get(0), in.get(2) / 4, in.get(3) / 4),
            new Shape(in.get(0), in.get(2) / 8, in.get(3) / 8), new Shape(), new Shape()};
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
        RosinalityVqVae2Config saved;
        try {
            saved = RosinalityVqVae2Config.fromJson(is.readUTF());
        } catch (IllegalArgumentException e) {
            throw new ai.djl.MalformedModelException("parameter file holds an unreadable config", e);
        }
        if (!saved.equals(config)) {
            throw new ai.djl.MalformedModelException("parameter file was saved from a different model config");
        }
    }
}
