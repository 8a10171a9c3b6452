package org.vqvae.prior;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

/**
 * Everything needed to rebuild a {@link PixelSnail}; saved with its checkpoints. Defaults are small
 * enough to train on a CPU for tests and demos.
 *
 * <p>A VQ-VAE-2 top prior is class-conditional with attention; a bottom prior is also conditioned
 * on the code map of the level above ({@code conditionCodes > 0}) and, as in the VQ-VAE-2 paper,
 * usually has no attention ({@code heads = 0}).
 *
 * @param numCodes K
 * @param numClasses classes it is conditioned on
 * @param height code map height
 * @param width code map width
 * @param channels width of the residual stream
 * @param blocks blocks of (gated convolutions, then causal self-attention)
 * @param layersPerBlock gated convolution layers in each block
 * @param heads attention heads (0 = no attention: a conditional Gated PixelCNN)
 * @param keyChannels query and key channels per head
 * @param valueChannels value channels per head
 * @param kernel odd kernel size of the gated convolutions
 * @param dropout dropout in the gated layers during training
 * @param attentionChunk queries per attention chunk: bounds the score tensor to chunk x positions
 * @param conditionCodes K of the conditioning code map (0 = not conditioned on codes)
 * @param conditionHeight height of the conditioning code map (divides height)
 * @param conditionWidth width of the conditioning code map (divides width)
 * @param conditionChannels channels of the conditioning stack
 * @param conditionLayers residual 3x3 convolutions of the conditioning stack
 */
public record PixelSnailConfig(int numCodes, int numClasses, int height, int width, int channels, int blocks,
        int layersPerBlock, int heads, int keyChannels, int valueChannels, int kernel, float dropout,
        int attentionChunk, int conditionCodes, int conditionHeight, int conditionWidth, int conditionChannels,
        int conditionLayers) implements PriorConfig {

    /**
     * Returns CPU-sized defaults: 64 channels, 2 blocks of 2 gated layers, 2 heads of 16/32
     * channels, kernel 3, queries in chunks of 256, no code conditioning.
     *
     * @param numCodes K
     * @param numClasses classes
     * @param height map height
     * @param width map width
     * @return the configuration
     */
    public static PixelSnailConfig defaults(int numCodes, int numClasses, int height, int width) {
        return new PixelSnailConfig(numCodes, numClasses, height, width, 64, 2, 2, 2, 16, 32, 3, 0f, 256, 0, 0, 0, 0, 0);
    }

    /**
     * Returns a copy with other sizes.
     *
     * @param channels stream width
     * @param blocks blocks
     * @param layersPerBlock gated layers per block
     * @return the new configuration
     */
    public PixelSnailConfig withSize(int channels, int blocks, int layersPerBlock) {
        return new PixelSnailConfig(numCodes, numClasses, height, width, channels, blocks, layersPerBlock, heads,
                keyChannels, valueChannels, kernel, dropout, attentionChunk, conditionCodes, conditionHeight,
                conditionWidth, conditionCodes > 0 ? channels : 0, conditionLayers);
    }

    /**
     * Returns a copy with another attention shape.
     *
     * @param heads heads (0 = no attention)
     * @param keyChannels query and key channels per head
     * @param valueChannels value channels per head
     * @return the new configuration
     */
    public PixelSnailConfig withAttention(int heads, int keyChannels, int valueChannels) {
        return new PixelSnailConfig(numCodes, numClasses, height, width, channels, blocks, layersPerBlock, heads,
                keyChannels, valueChannels, kernel, dropout, attentionChunk, conditionCodes, conditionHeight,
                conditionWidth, conditionChannels, conditionLayers);
    }

    /**
     * Returns a copy with another attention chunk size.
     *
     * @param chunk queries per chunk
     * @return the new configuration
     */
    public PixelSnailConfig withAttentionChunk(int chunk) {
        return new PixelSnailConfig(numCodes, numClasses, height, width, channels, blocks, layersPerBlock, heads,
                keyChannels, valueChannels, kernel, dropout, chunk, conditionCodes, conditionHeight, conditionWidth,
                conditionChannels, conditionLayers);
    }

    /**
     * Returns a copy with another kernel and dropout.
     *
     * @param kernel odd kernel size
     * @param dropout dropout probability
     * @return the new configuration
     */
    public PixelSnailConfig withKernel(int kernel, float dropout) {
        return new PixelSnailConfig(numCodes, numClasses, height, width, channels, blocks, layersPerBlock, heads,
                keyChannels, valueChannels, kernel, dropout, attentionChunk, conditionCodes, conditionHeight,
                conditionWidth, conditionChannels, conditionLayers);
    }

    /**
     * Returns a copy conditioned on a code map (the level above in VQ-VAE-2), through a
     * conditioning stack as wide as the stream with two residual layers.
     *
     * @param codes K of the conditioning map
     * @param conditionHeight its height (must divide the height)
     * @param conditionWidth its width (must divide the width)
     * @return the new configuration
     */
    public PixelSnailConfig conditionedOn(int codes, int conditionHeight, int conditionWidth) {
        return new PixelSnailConfig(numCodes, numClasses, height, width, channels, blocks, layersPerBlock, heads,
                keyChannels, valueChannels, kernel, dropout, attentionChunk, codes, conditionHeight, conditionWidth,
                channels, 2);
    }

    /** Whether the blocks have attention. */
    public boolean attention() {
        return heads > 0;
    }

    /** Whether it is conditioned on a code map. */
    public boolean conditioned() {
        return conditionCodes > 0;
    }

    /**
     * Rows above a position that its logits can depend on.
     *
     * @return all rows with attention, else the convolutions' vertical receptive field
     */
    public int receptiveRows() {
        return attention() ? height : (1 + blocks * layersPerBlock) * (kernel / 2);
    }

    /**
     * Throws with a message naming the first bad value.
     *
     * @return this configuration
     */
    public PixelSnailConfig validate() {
        new PixelCnnConfig(numCodes, numClasses, height, width, channels, Math.max(1, blocks * layersPerBlock), kernel,
                dropout).validate();
        if (blocks < 1 || layersPerBlock < 0 || heads < 0 || attentionChunk < 1) {
            throw new IllegalArgumentException("blocks and attentionChunk must be >= 1, layersPerBlock and heads >= 0");
        }
        if (heads > 0 && (keyChannels < 1 || valueChannels < 1)) {
            throw new IllegalArgumentException("key and value channels must be >= 1 with attention");
        }
        if (conditionCodes < 0 || conditionCodes == 1) {
            throw new IllegalArgumentException("conditionCodes must be 0 (none) or >= 2, got " + conditionCodes);
        }
        if (conditionCodes > 0) {
            if (conditionHeight < 1 || conditionWidth < 1 || height % conditionHeight != 0
                    || width % conditionWidth != 0) {
                throw new IllegalArgumentException("the conditioning map (" + conditionHeight + "x" + conditionWidth
                        + ") must evenly divide the " + height + "x" + width + " map");
            }
            if (conditionChannels < 1 || conditionLayers < 0) {
                throw new IllegalArgumentException("conditionChannels must be >= 1 and conditionLayers >= 0");
            }
        }
        return this;
    }

    /**
     * Returns this configuration as JSON tagged {@code "arch": "pixelsnail"}.
     *
     * @return JSON text
     */
    public String toJson() {
        JsonObject o = JsonUtils.GSON.toJsonTree(this).getAsJsonObject();
        o.addProperty("arch", "pixelsnail");
        return JsonUtils.GSON_PRETTY.toJson(o);
    }

    /**
     * Parses and validates a configuration.
     *
     * @param json JSON from {@link #toJson()}
     * @return the configuration
     */
    public static PixelSnailConfig fromJson(String json) {
        try {
            PixelSnailConfig c = JsonUtils.GSON.fromJson(json, PixelSnailConfig.class);
            if (c == null) {
                throw new IllegalArgumentException("empty prior config");
            }
            return c.validate();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("malformed prior config: " + e.getMessage(), e);
        }
    }
}
