package org.vqvae.prior;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonParseException;

/**
 * Everything needed to rebuild a {@link GatedPixelCnn}; saved with its checkpoints.
 *
 * @param numCodes K, the number of code values (the VQ-VAE's codebook size)
 * @param numClasses classes the prior is conditioned on
 * @param height code map height
 * @param width code map width
 * @param channels width of both stacks
 * @param layers gated layers (the first is the masked type-A layer)
 * @param kernel odd kernel size n: vertical stack n/2+1 x n, horizontal stack 1 x n/2+1
 * @param dropout dropout on each layer's horizontal output during training
 */
public record PixelCnnConfig(
        int numCodes, int numClasses, int height, int width, int channels, int layers, int kernel, float dropout) implements PriorConfig {

    /**
     * Returns defaults that train well on 7x7 (MNIST) and 8x8 (CIFAR-10) code maps: 64 channels,
     * 12 layers of kernel 3 (the receptive field covers 12 rows above), no dropout.
     *
     * @param numCodes K
     * @param numClasses classes
     * @param height map height
     * @param width map width
     * @return the configuration
     */
    public static PixelCnnConfig defaults(int numCodes, int numClasses, int height, int width) {
        return new PixelCnnConfig(numCodes, numClasses, height, width, 64, 12, 3, 0f);
    }

    /**
     * Returns a copy with other sizes.
     *
     * @param channels stack width
     * @param layers gated layers
     * @param kernel odd kernel size
     * @return the new configuration
     */
    public PixelCnnConfig withSize(int channels, int layers, int kernel) {
        return new PixelCnnConfig(numCodes, numClasses, height, width, channels, layers, kernel, dropout);
    }

    /**
     * Rows above a position that its prediction can depend on: {@code layers * (kernel / 2)}.
     *
     * @return the vertical receptive field
     */
    public int receptiveRows() {
        return layers * (kernel / 2);
    }

    /**
     * Throws with a message naming the first bad value.
     *
     * @return this configuration
     */
    public PixelCnnConfig validate() {
        if (numCodes < 2) {
            throw new IllegalArgumentException("numCodes must be >= 2, got " + numCodes);
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("map size must be positive, got " + height + "x" + width);
        }
        if (channels < 1 || layers < 1) {
            throw new IllegalArgumentException("channels and layers must be >= 1, got " + channels + ", " + layers);
        }
        if (kernel < 3 || kernel % 2 == 0) {
            throw new IllegalArgumentException("kernel must be odd and >= 3, got " + kernel);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        return this;
    }

    /**
     * Returns this configuration as JSON, tagged with its architecture.
     *
     * @return JSON text
     */
    public String toJson() {
        com.google.gson.JsonObject o = JsonUtils.GSON.toJsonTree(this).getAsJsonObject();
        o.addProperty("arch", "pixelcnn");
        return JsonUtils.GSON_PRETTY.toJson(o);
    }

    /**
     * Parses and validates a configuration.
     *
     * @param json JSON as written by {@link #toJson()}
     * @return the configuration
     */
    public static PixelCnnConfig fromJson(String json) {
        try {
            PixelCnnConfig c = JsonUtils.GSON.fromJson(json, PixelCnnConfig.class);
            if (c == null) {
                throw new IllegalArgumentException("empty prior config");
            }
            return c.validate();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("malformed prior config: " + e.getMessage(), e);
        }
    }
}
