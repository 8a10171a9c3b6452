package org.vqvae.core.io.torch;

import ai.djl.ndarray.NDManager;

import org.vqvae.core.model.RosinalityVqVae2;
import org.vqvae.core.model.RosinalityVqVae2Config;

/**
 * Loads the state_dict of rosinality's {@code VQVAE} (vq-vae-2-pytorch, vqvae.py) as a {@link
 * RosinalityVqVae2}: the sizes are read from the tensors' shapes ({@code in_channel} and {@code
 * channel} from {@code enc_b}, {@code n_res_block} by counting its residual blocks, {@code
 * n_res_channel}, {@code embed_dim} and {@code n_embed} from their tensors), then every tensor is
 * checked against the model those sizes build. Names saved through a DataParallel wrapper
 * ({@code module.enc_b...}) are read as well.
 */
public final class RosinalityVqVae2Loader implements StateDictLoader {

    /** The format name. */
    public static final String FORMAT = RosinalityVqVae2Config.MODEL;
    private static final String WHAT = "rosinality VQ-VAE-2 (vqvae.py VQVAE) checkpoint";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public ImportedModel load(StateDict state, ImportOptions options, NDManager manager)
            throws WeightFormatException {
        StateDict weights = state.withoutCommonPrefix("module."); // saved from a DataParallel wrapper
        RosinalityVqVae2Config config = configOf(weights, options);
        RosinalityVqVae2 model = new RosinalityVqVae2(config).initialize(manager);
        TorchWeights.fill(model, weights, WHAT);
        return new ImportedModel(model, config.toJson());
    }

    /**
     * Reads the sizes of a rosinality VQ-VAE-2 from its tensors.
     *
     * @param weights the state_dict
     * @param options the image size
     * @return the configuration
     * @throws WeightFormatException if a tensor the sizes are read from is missing or malformed
     */
    public static RosinalityVqVae2Config configOf(StateDict weights, ImportOptions options)
            throws WeightFormatException {
        long[] first = shape(weights, "enc_b.blocks.0.weight", 4);
        long[] second = shape(weights, "enc_b.blocks.2.weight", 4);
        long[] embed = shape(weights, "quantize_t.embed", 2);
        int resBlocks = 0;
        while (weights.tensors().containsKey("enc_b.blocks." + (5 + resBlocks) + ".conv.1.weight")) {
            resBlocks++;
        }
        int resChannels = resBlocks == 0 ? 1 : (int) shape(weights, "enc_b.blocks.5.conv.1.weight", 4)[0];
        try {
            return RosinalityVqVae2Config.of((int) first[1], options.imageSize(), (int) second[0], resBlocks,
                    resChannels, (int) embed[0], (int) embed[1]);
        } catch (IllegalArgumentException e) {
            throw new WeightFormatException(e.getMessage(), e);
        }
    }

    private static long[] shape(StateDict weights, String name, int dims) throws WeightFormatException {
        TensorData t = weights.tensors().get(name);
        if (t == null) {
            throw new WeightFormatException("not a " + WHAT + ": it has no tensor " + name);
        }
        if (t.shape().length != dims) {
            throw new WeightFormatException("not a " + WHAT + ": " + name + " has " + t.shape().length
                    + " dimensions, not " + dims);
        }
        return t.shape();
    }
}
