package org.vqvae.core.io.torch;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.RosinalityVqVae2;
import org.vqvae.core.model.RosinalityVqVae2Config;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;
import org.vqvae.core.model.VqVaeConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's weights as named tensors, for safetensors: under the source's state_dict names where
 * the block is {@link TorchNamed} (rosinality's architectures), under DJL's parameter names
 * otherwise; the configuration JSON travels in the metadata ({@value #CONFIG_KEY}), so the file
 * alone rebuilds the model.
 */
public final class ModelWeights {

    /** Metadata key of the configuration JSON. */
    public static final String CONFIG_KEY = "vqvae.config";

    private ModelWeights() {}

    /**
     * Names every parameter of an initialised block.
     *
     * @param block the block
     * @return name to parameter, in the block's (or the source's) order
     */
    public static Map<String, Parameter> named(Block block) {
        if (block instanceof TorchNamed t) {
            return t.torchParameters();
        }
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.put(p.getKey(), p.getValue());
        }
        return out;
    }

    /**
     * Returns a block's weights with its configuration as metadata.
     *
     * @param block the initialised block
     * @param configJson the JSON that rebuilds it
     * @return the tensors and metadata ({@code format: pt}, the configuration)
     */
    public static StateDict export(Block block, String configJson) {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : named(block).entrySet()) {
            tensors.put(e.getKey(), TensorData.of(e.getValue().getArray()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(CONFIG_KEY, configJson);
        return new StateDict(tensors, meta);
    }

    /**
     * Rebuilds a model from safetensors: the one its metadata's configuration describes (a VQ-VAE,
     * VQ-VAE-2 or rosinality VQ-VAE-2 exported here), else a rosinality VQ-VAE-2 when the names are
     * its state_dict's (a file PyTorch wrote with {@code safetensors.torch.save_file}).
     *
     * @param weights the file's tensors and metadata
     * @param options the image size, for a file without configuration
     * @param manager owner of the parameters
     * @return the model and its configuration JSON
     * @throws WeightFormatException if neither, or the tensors do not fit
     */
    public static ImportedModel fromSafetensors(StateDict weights, ImportOptions options, NDManager manager)
            throws WeightFormatException {
        String json = weights.metadata().get(CONFIG_KEY);
        if (json == null) {
            if (weights.tensors().containsKey("enc_b.blocks.0.weight")) {
                return new RosinalityVqVae2Loader().load(weights, options, manager);
            }
            throw new WeightFormatException("the safetensors file has no " + CONFIG_KEY + " metadata and is not"
                    + " a rosinality VQ-VAE-2 state_dict: nothing says which model it holds");
        }
        CodeModel model;
        try {
            if (RosinalityVqVae2Config.isRosinality(json)) {
                model = new RosinalityVqVae2(RosinalityVqVae2Config.fromJson(json));
            } else if (VqVae2Config.isVqVae2(json)) {
                model = new VqVae2(VqVae2Config.fromJson(json));
            } else {
                model = new VqVae(VqVaeConfig.fromJson(json));
            }
        } catch (IllegalArgumentException e) {
            throw new WeightFormatException("the safetensors file's " + CONFIG_KEY + " is not a VQ-VAE,"
                    + " VQ-VAE-2 or rosinality VQ-VAE-2 configuration (" + e.getMessage() + ")", e);
        }
        model.initialize(manager);
        TorchWeights.fill(named(model), weights, model.getClass().getSimpleName() + " of that configuration");
        return new ImportedModel(model, json);
    }
}
