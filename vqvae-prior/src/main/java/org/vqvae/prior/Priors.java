package org.vqvae.prior;

import ai.djl.ndarray.NDManager;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import org.vqvae.core.train.Checkpoint;
import org.vqvae.prior.rosinality.RosinalityPixelSnail;
import org.vqvae.prior.rosinality.RosinalityPixelSnailConfig;

import java.io.IOException;
import java.nio.file.Path;

/** Loads priors of any architecture (PixelCNN, PixelSNAIL, imported rosinality PixelSNAIL) from their checkpoints. */
public final class Priors {

    private Priors() {}

    /**
     * Loads a prior saved by {@link PriorTrainer}.
     *
     * @param dir a prior run directory or its checkpoint directory
     * @param manager the manager owning the parameters
     * @return the prior
     * @throws IOException if missing, malformed or not a prior checkpoint
     */
    public static CodePrior load(Path dir, NDManager manager) throws IOException {
        String json = Checkpoint.readConfigJson(dir);
        String arch;
        try {
            JsonObject o = JsonUtils.GSON.fromJson(json, JsonObject.class);
            arch = o != null && o.has("arch") ? o.get("arch").getAsString() : "";
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(dir + ": malformed prior config", e);
        }
        CodePrior prior;
        try {
            prior = switch (arch) {
                case "pixelcnn" -> new GatedPixelCnn(PixelCnnConfig.fromJson(json));
                case "pixelsnail" -> new PixelSnail(PixelSnailConfig.fromJson(json));
                case RosinalityPixelSnail.ARCH -> new RosinalityPixelSnail(RosinalityPixelSnailConfig.fromJson(json));
                default -> throw new IOException(dir + " does not hold a PixelCNN or PixelSNAIL prior checkpoint");
            };
        } catch (IllegalArgumentException e) {
            throw new IOException(dir + ": " + e.getMessage(), e);
        }
        prior.initialize(manager);
        Checkpoint.loadInitialized(dir, prior, manager);
        return prior;
    }
}
