package org.vqvae.core.model;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import java.util.List;

/**
 * Everything needed to rebuild a {@link RosinalityVqVae2}: the sizes of rosinality's {@code
 * VQVAE(in_channel, channel, n_res_block, n_res_channel, embed_dim, n_embed, decay)} (vq-vae-2-pytorch,
 * vqvae.py), the image size its checkpoint does not record, and the source's conventions, which
 * are fixed and recorded so the directory explains itself: images in {@code [-1, 1]},
 * {@code ConvTranspose2d(4, stride 2, padding 1)} upsampling with weights {@code [Cin, Cout, 4, 4]},
 * codebooks {@code embed [D, K]} with EMA buffers {@code cluster_size [K]} and {@code embed_avg [D, K]}.
 *
 * @param imageChannels {@code in_channel}
 * @param imageHeight image height (a multiple of 8; rosinality trains at 256)
 * @param imageWidth image width (a multiple of 8)
 * @param channel {@code channel}, the trunk width
 * @param resBlocks {@code n_res_block}
 * @param resChannels {@code n_res_channel}
 * @param embedDim {@code embed_dim} (D of both levels)
 * @param numCodes {@code n_embed} (K of both levels)
 * @param decay EMA decay of the codebooks (not stored in a state_dict; rosinality's default)
 * @param epsilon EMA Laplace smoothing (rosinality's default)
 * @param inputRange the pixel range the source's networks see: {@code [-1, 1]}
 * @param upsampling the source's upsampling convention
 * @param codebookLayout the source's codebook layout
 */
public record RosinalityVqVae2Config(
        int imageChannels,
        int imageHeight,
        int imageWidth,
        int channel,
        int resBlocks,
        int resChannels,
        int embedDim,
        int numCodes,
        float decay,
        float epsilon,
        List<Float> inputRange,
        String upsampling,
        String codebookLayout) {

    /** The model tag in {@code config.json}. */
    public static final String MODEL = "rosinality-vqvae2";
    /** The only input range of the source. */
    public static final List<Float> INPUT_RANGE = List.of(-1f, 1f);
    /** The only upsampling of the source. */
    public static final String UPSAMPLING = "ConvTranspose2d(kernel 4, stride 2, padding 1), weight [Cin, Cout, 4, 4]";
    /** The only codebook layout of the source. */
    public static final String CODEBOOK_LAYOUT = "embed [D, K], cluster_size [K], embed_avg [D, K]";

    /** Copies the range list, so the record stays immutable. */
    public RosinalityVqVae2Config {
        inputRange = inputRange == null ? null : List.copyOf(inputRange);
    }

    /**
     * Returns a configuration with the source's conventions and default EMA settings.
     *
     * @param imageChannels {@code in_channel}
     * @param imageSize image height and width
     * @param channel trunk width
     * @param resBlocks residual blocks per stack
     * @param resChannels channels inside residual blocks
     * @param embedDim D
     * @param numCodes K
     * @return the configuration
     */
    public static RosinalityVqVae2Config of(int imageChannels, int imageSize, int channel, int resBlocks,
            int resChannels, int embedDim, int numCodes) {
        return new RosinalityVqVae2Config(imageChannels, imageSize, imageSize, channel, resBlocks, resChannels,
                embedDim, numCodes, 0.99f, 1e-5f, INPUT_RANGE, UPSAMPLING, CODEBOOK_LAYOUT).validate();
    }

    /**
     * Throws with a message naming the first bad value.
     *
     * @return this configuration
     */
    public RosinalityVqVae2Config validate() {
        if (imageChannels < 1 || channel < 2 || resBlocks < 0 || resChannels < 1 || embedDim < 1 || numCodes < 1) {
            throw new IllegalArgumentException("rosinality VQ-VAE-2 sizes must be positive (channel >= 2)");
        }
        if (imageHeight < 8 || imageWidth < 8 || imageHeight % 8 != 0 || imageWidth % 8 != 0) {
            throw new IllegalArgumentException("image size " + imageHeight + "x" + imageWidth
                    + " must be a multiple of 8 for rosinality's VQ-VAE-2");
        }
        if (!INPUT_RANGE.equals(inputRange) || !UPSAMPLING.equals(upsampling)
                || !CODEBOOK_LAYOUT.equals(codebookLayout)) {
            throw new IllegalArgumentException("unsupported conventions: only input range " + INPUT_RANGE
                    + ", upsampling '" + UPSAMPLING + "', codebook '" + CODEBOOK_LAYOUT + "'");
        }
        if (!(decay > 0 && decay < 1 && epsilon > 0)) {
            throw new IllegalArgumentException("decay must be in (0, 1) and epsilon > 0");
        }
        return this;
    }

    /**
     * Returns this configuration as JSON tagged {@code "model": "rosinality-vqvae2"}.
     *
     * @return JSON text
     */
    public String toJson() {
        JsonObject o = JsonUtils.GSON.toJsonTree(this).getAsJsonObject();
        o.addProperty("model", MODEL);
        o.addProperty("source", "rosinality/vq-vae-2-pytorch vqvae.py VQVAE");
        return JsonUtils.GSON_PRETTY.toJson(o);
    }

    /**
     * Whether a configuration JSON describes this model.
     *
     * @param json configuration JSON
     * @return true if tagged rosinality-vqvae2
     */
    public static boolean isRosinality(String json) {
        try {
            JsonObject o = JsonUtils.GSON.fromJson(json, JsonObject.class);
            return o != null && o.has("model") && MODEL.equals(o.get("model").getAsString());
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Parses and validates a configuration.
     *
     * @param json JSON from {@link #toJson()}
     * @return the configuration
     */
    public static RosinalityVqVae2Config fromJson(String json) {
        try {
            RosinalityVqVae2Config c = JsonUtils.GSON.fromJson(json, RosinalityVqVae2Config.class);
            if (c == null) {
                throw new IllegalArgumentException("empty model config");
            }
            return c.validate();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("malformed model config: " + e.getMessage(), e);
        }
    }
}
