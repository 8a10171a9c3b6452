package org.vqvae.prior.rosinality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.io.torch.ImportOptions;
import org.vqvae.core.io.torch.ImportedModel;
import org.vqvae.core.io.torch.StateDict;
import org.vqvae.core.io.torch.StateDictLoader;
import org.vqvae.core.io.torch.TensorData;
import org.vqvae.core.io.torch.WeightFormatException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads the state_dict of rosinality's {@code PixelSNAIL} (vq-vae-2-pytorch, pixelsnail.py; the
 * {@code model} entry of the checkpoints its train_pixelsnail.py writes) as a {@link
 * RosinalityPixelSnail}, for {@code vqvae import --format rosinality-pixelsnail-top|bottom}: the
 * configuration is read off the keys and shapes, every key is checked, and the format must match
 * the level (a bottom prior carries a conditioning network over the top codes, a top prior none).
 * Checkpoints of the early pixelsnail.py, whose ELU ran in place, have the same keys and are read
 * as the current one ({@link RosinalityPixelSnailConfig#withLegacyInplaceElu} is left to the API).
 */
public abstract class RosinalityPixelSnailLoader implements StateDictLoader {

    private final boolean bottom;

    private RosinalityPixelSnailLoader(boolean bottom) {
        this.bottom = bottom;
    }

    /** {@code rosinality-pixelsnail-top}: the prior over the top codes, no conditioning. */
    public static final class Top extends RosinalityPixelSnailLoader {
        /** Creates the loader (for {@link java.util.ServiceLoader}). */
        public Top() {
            super(false);
        }
    }

    /** {@code rosinality-pixelsnail-bottom}: the prior over the bottom codes given the top codes. */
    public static final class Bottom extends RosinalityPixelSnailLoader {
        /** Creates the loader (for {@link java.util.ServiceLoader}). */
        public Bottom() {
            super(true);
        }
    }

    @Override
    public String format() {
        return "rosinality-pixelsnail-" + (bottom ? "bottom" : "top");
    }

    @Override
    public ImportedModel load(StateDict state, ImportOptions options, NDManager manager)
            throws WeightFormatException {
        StateDict weights = state.withoutCommonPrefix("module."); // saved from a DataParallel wrapper
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : weights.tensors().entrySet()) {
            tensors.put(e.getKey(), e.getValue().toNDArray(manager));
        }
        RosinalityPixelSnail prior;
        try {
            prior = RosinalityPixelSnail.fromStateDict(tensors, manager);
        } catch (IllegalArgumentException e) {
            throw new WeightFormatException("not a rosinality PixelSNAIL (pixelsnail.py) checkpoint: " + e.getMessage(),
                    e);
        } finally {
            tensors.values().forEach(NDArray::close);
        }
        boolean conditioned = prior.getConfig().conditionCodes() > 0;
        if (conditioned != bottom) {
            throw new WeightFormatException("a rosinality " + (conditioned ? "bottom" : "top") + " prior ("
                    + (conditioned ? "it has" : "it has no") + " conditioning network over the top codes), not a "
                    + (bottom ? "bottom" : "top") + " one: use --format rosinality-pixelsnail-"
                    + (conditioned ? "bottom" : "top"));
        }
        return new ImportedModel(prior, prior.configJson());
    }
}
