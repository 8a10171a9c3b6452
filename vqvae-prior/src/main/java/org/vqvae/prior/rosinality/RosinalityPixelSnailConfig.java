package org.vqvae.prior.rosinality;

import ai.djl.ndarray.types.Shape;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import org.vqvae.prior.PriorConfig;

import java.util.Map;

/**
 * Everything needed to rebuild a {@link RosinalityPixelSnail}: the arguments of rosinality's {@code
 * PixelSNAIL(shape, n_class, channel, kernel_size, n_block, n_res_block, res_channel, attention,
 * dropout, n_cond_res_block, cond_res_channel, cond_res_kernel, n_out_res_block)} plus its fixed
 * {@code n_head} and this library's attention chunk. Saved with the imported prior as {@code
 * "arch": "rosinality-pixelsnail"}.
 *
 * <p>Unlike this library's priors, rosinality's are not class-conditional ({@link #numClasses()}
 * is 1 and labels are ignored). A bottom prior ({@code nCondResBlock > 0}) is conditioned on a map
 * of the same K at half the height and width, upsampled by 2 (nearest) after the conditioning
 * ResNet.
 *
 * @param numCodes {@code n_class}: K, the codes modelled (and of the conditioning map)
 * @param height {@code shape[0]}
 * @param width {@code shape[1]}
 * @param channel {@code channel}: width of the residual stream
 * @param kernelSize {@code kernel_size} of the blocks' causal convolutions (odd; the first two
 *     convolutions use it too, rounded up to odd by rosinality)
 * @param nBlock {@code n_block}
 * @param nResBlock {@code n_res_block}: causal gated residual blocks per block
 * @param resChannel {@code res_channel}: inner width of the gated residual blocks
 * @param attention {@code attention}
 * @param heads {@code n_head} of its attention, 8 in rosinality's code (not in the state_dict)
 * @param dropout {@code dropout} (training only; not in the state_dict)
 * @param nCondResBlock {@code n_cond_res_block}: gated blocks of the conditioning ResNet, 0 = none
 * @param condResChannel {@code cond_res_channel}
 * @param condResKernel {@code cond_res_kernel}
 * @param nOutResBlock {@code n_out_res_block}: 1x1 gated blocks before the output
 * @param attentionChunk queries per attention chunk (memory only; 256)
 * @param legacyInplaceElu compute as the early pixelsnail.py whose gated residual blocks applied
 *     their ELU in place ({@code activation(inplace=True)}): each block's residual then adds
 *     {@code elu(x)} instead of {@code x}, and an attention block's keys see {@code elu(input)}
 *     when it has residual blocks. Not in the state_dict; false for the current file.
 */
public record RosinalityPixelSnailConfig(int numCodes, int height, int width, int channel, int kernelSize,
        int nBlock, int nResBlock, int resChannel, boolean attention, int heads, float dropout, int nCondResBlock,
        int condResChannel, int condResKernel, int nOutResBlock, int attentionChunk, boolean legacyInplaceElu)
        implements PriorConfig {

    /** rosinality's {@code CausalAttention} default, which its {@code PixelBlock} never changes. */
    public static final int HEADS = 8;

    /** rosinality's default dropout (training only). */
    public static final float DROPOUT = 0.1f;

    /** Attention chunk used unless set. */
    public static final int CHUNK = 256;

    /**
     * The top prior of rosinality's {@code train_pixelsnail.py} (its defaults: channel 256, kernel 5,
     * 4 blocks of 4 residual blocks of 256 channels, attention, dropout 0.1).
     *
     * @param numCodes K
     * @param height map height (32 there)
     * @param width map width (32 there)
     * @return the configuration
     */
    public static RosinalityPixelSnailConfig top(int numCodes, int height, int width) {
        return new RosinalityPixelSnailConfig(numCodes, height, width, 256, 5, 4, 4, 256, true, HEADS, DROPOUT, 0, 0,
                3, 0, CHUNK, false);
    }

    /**
     * The bottom prior of rosinality's {@code train_pixelsnail.py}: as {@link #top} without
     * attention, conditioned through 3 conditioning blocks of 256 channels and kernel 3.
     *
     * @param numCodes K
     * @param height map height (64 there)
     * @param width map width (64 there)
     * @return the configuration
     */
    public static RosinalityPixelSnailConfig bottom(int numCodes, int height, int width) {
        return new RosinalityPixelSnailConfig(numCodes, height, width, 256, 5, 4, 4, 256, false, HEADS, DROPOUT, 3, 256,
                3, 0, CHUNK, false);
    }

    /**
     * Infers the configuration from a state_dict's keys and shapes: sizes from the shapes, block
     * counts from the key indices, attention and conditioning from which keys exist. Not stored
     * there and taken as rosinality's: {@link #HEADS} heads, dropout {@link #DROPOUT}.
     *
     * @param shapes every state_dict key with its shape
     * @return the configuration (validated)
     * @throws IllegalArgumentException naming the key that is missing or malformed
     */
    public static RosinalityPixelSnailConfig inferFrom(Map<String, Shape> shapes) {
        return StateDictLayout.infer(shapes);
    }

    /**
     * Returns a copy with another attention chunk.
     *
     * @param chunk queries per chunk
     * @return the configuration
     */
    public RosinalityPixelSnailConfig withAttentionChunk(int chunk) {
        return new RosinalityPixelSnailConfig(numCodes, height, width, channel, kernelSize, nBlock, nResBlock,
                resChannel, attention, heads, dropout, nCondResBlock, condResChannel, condResKernel, nOutResBlock,
                chunk, legacyInplaceElu);
    }

    /**
     * Returns a copy with other settings the state_dict does not hold.
     *
     * @param heads attention heads
     * @param dropout dropout in training
     * @return the configuration
     */
    public RosinalityPixelSnailConfig withHeads(int heads, float dropout) {
        return new RosinalityPixelSnailConfig(numCodes, height, width, channel, kernelSize, nBlock, nResBlock,
                resChannel, attention, heads, dropout, nCondResBlock, condResChannel, condResKernel, nOutResBlock,
                attentionChunk, legacyInplaceElu);
    }

    /**
     * Returns a copy computing as the early pixelsnail.py with its in-place ELU, or as the current one.
     *
     * @param legacy whether to reproduce the in-place ELU
     * @return the configuration
     */
    public RosinalityPixelSnailConfig withLegacyInplaceElu(boolean legacy) {
        return new RosinalityPixelSnailConfig(numCodes, height, width, channel, kernelSize, nBlock, nResBlock,
                resChannel, attention, heads, dropout, nCondResBlock, condResChannel, condResKernel, nOutResBlock,
                attentionChunk, legacy);
    }

    /** The odd kernel of the first two convolutions: {@code kernelSize}, rounded up to odd. */
    public int kernel() {
        return kernelSize % 2 == 0 ? kernelSize + 1 : kernelSize;
    }

    /** Whether it is conditioned on the codes of a level above. */
    public boolean conditioned() {
        return nCondResBlock > 0;
    }

    /** One: rosinality's priors are not class-conditional. */
    @Override
    public int numClasses() {
        return 1;
    }

    @Override
    public boolean classConditional() {
        return false;
    }

    @Override
    public int conditionCodes() {
        return conditioned() ? numCodes : 0;
    }

    @Override
    public int conditionHeight() {
        return conditioned() ? height / 2 : 0;
    }

    @Override
    public int conditionWidth() {
        return conditioned() ? width / 2 : 0;
    }

    /**
     * Rows above a position its logits can depend on: every row with attention, else those of the
     * first convolutions ({@code kernel / 2}) and of two causal convolutions ({@code kernelSize - 1}
     * each) per residual block.
     */
    @Override
    public int receptiveRows() {
        return attention ? height : kernel() / 2 + 2 * nBlock * nResBlock * (kernelSize - 1);
    }

    /**
     * Throws with a message naming the first bad value.
     *
     * @return this configuration
     */
    public RosinalityPixelSnailConfig validate() {
        if (numCodes < 2) {
            throw new IllegalArgumentException("n_class (K) must be >= 2, got " + numCodes);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("map size must be positive, got " + height + "x" + width);
        }
        if (channel < 1 || resChannel < 1 || nBlock < 1 || nResBlock < 0 || nOutResBlock < 0) {
            throw new IllegalArgumentException("channel, res_channel and n_block must be >= 1, n_res_block and "
                    + "n_out_res_block >= 0");
        }
        if (kernelSize < 2 || nResBlock > 0 && kernelSize % 2 == 0) {
            // an even kernel changes the width of rosinality's causal convolutions: its residual sums fail
            throw new IllegalArgumentException("kernel_size must be odd and >= 3, got " + kernelSize);
        }
        if (attention && (heads < 1 || channel % 2 != 0 || channel / 2 % heads != 0)) {
            throw new IllegalArgumentException("with attention channel / 2 must split into " + heads + " heads, got "
                    + "channel " + channel);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (nCondResBlock < 0 || condResChannel < 0 || attentionChunk < 1) {
            throw new IllegalArgumentException("n_cond_res_block and cond_res_channel must be >= 0, attentionChunk >= 1");
        }
        if (conditioned()) {
            if (condResChannel < 1 || condResKernel < 1 || condResKernel % 2 == 0) {
                throw new IllegalArgumentException("a conditioned prior needs cond_res_channel >= 1 and an odd "
                        + "cond_res_kernel, got " + condResChannel + " and " + condResKernel);
            }
            if (height % 2 != 0 || width % 2 != 0) {
                throw new IllegalArgumentException("a conditioned prior's map must have even sides (the condition "
                        + "is upsampled by 2), got " + height + "x" + width);
            }
        }
        return this;
    }

    /**
     * Returns this configuration as JSON tagged {@code "arch": "rosinality-pixelsnail"}.
     *
     * @return JSON text
     */
    @Override
    public String toJson() {
        JsonObject o = JsonUtils.GSON.toJsonTree(this).getAsJsonObject();
        o.addProperty("arch", RosinalityPixelSnail.ARCH);
        return JsonUtils.GSON_PRETTY.toJson(o);
    }

    /**
     * Parses and validates a configuration.
     *
     * @param json JSON from {@link #toJson()}
     * @return the configuration
     */
    public static RosinalityPixelSnailConfig fromJson(String json) {
        try {
            RosinalityPixelSnailConfig c = JsonUtils.GSON.fromJson(json, RosinalityPixelSnailConfig.class);
            if (c == null) {
                throw new IllegalArgumentException("empty prior config");
            }
            return c.validate();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("malformed prior config: " + e.getMessage(), e);
        }
    }
}
