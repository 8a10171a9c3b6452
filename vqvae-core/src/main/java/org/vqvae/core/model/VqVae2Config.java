package org.vqvae.core.model;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import java.util.Collections;
import java.util.List;

/**
 * Everything needed to rebuild a {@link VqVae2}; saved with its checkpoints.
 *
 * <p>Defaults follow Razavi et al. 2019 (arXiv 1906.00446) and rosinality's vq-vae-2-pytorch: two
 * levels (bottom at 1/4, top at 1/8 of the image), 128 hidden channels, two residual blocks of 32,
 * K = 512 codes of D = 64 per level, EMA codebooks with decay 0.99.
 *
 * @param imageChannels image channels
 * @param imageHeight image height (divisible by {@code 4 * 2^(levels-1)})
 * @param imageWidth image width
 * @param hiddenChannels trunk channels
 * @param residualChannels channels inside residual blocks
 * @param residualBlocks residual blocks per stack
 * @param numCodes K per level, bottom first
 * @param codeDims D per level, bottom first
 * @param beta commitment cost
 * @param ema EMA codebooks (default) instead of the codebook loss
 * @param emaDecay EMA decay
 * @param emaEpsilon Laplace smoothing
 * @param restartAfter restart codes unused for this many steps (0: never)
 * @param kmeansInit seed each codebook by k-means++ on the first batch
 */
public record VqVae2Config(
        int imageChannels,
        int imageHeight,
        int imageWidth,
        int hiddenChannels,
        int residualChannels,
        int residualBlocks,
        List<Integer> numCodes,
        List<Integer> codeDims,
        float beta,
        boolean ema,
        float emaDecay,
        float emaEpsilon,
        int restartAfter,
        boolean kmeansInit) {

    /** Copies the lists, so the record stays immutable. */
    public VqVae2Config {
        numCodes = numCodes == null ? null : List.copyOf(numCodes);
        codeDims = codeDims == null ? null : List.copyOf(codeDims);
    }

    /**
     * Returns the default configuration with a number of levels.
     *
     * @param channels image channels
     * @param height image height
     * @param width image width
     * @param levels 2 or more
     * @return the configuration
     */
    public static VqVae2Config defaults(int channels, int height, int width, int levels) {
        return new VqVae2Config(channels, height, width, 128, 32, 2, Collections.nCopies(levels, 512),
                Collections.nCopies(levels, 64), 0.25f, true, 0.99f, 1e-5f, VqVaeConfig.DEFAULT_RESTART_AFTER, false);
    }

    /**
     * Returns a copy with other trunk sizes and codebooks.
     *
     * @param hidden hidden channels
     * @param residual residual channels
     * @param blocks residual blocks
     * @param k codes per level
     * @param d code dimension per level
     * @return the new configuration
     */
    public VqVae2Config withSizes(int hidden, int residual, int blocks, int k, int d) {
        int n = levels();
        return new VqVae2Config(imageChannels, imageHeight, imageWidth, hidden, residual, blocks,
                Collections.nCopies(n, k), Collections.nCopies(n, d), beta, ema, emaDecay, emaEpsilon,
                restartAfter, kmeansInit);
    }

    /**
     * Returns a copy with other codebook-health settings.
     *
     * @param restart restart after this many unused steps (0: never)
     * @param kmeans k-means++ seeding
     * @return the new configuration
     */
    public VqVae2Config withCodebookHealth(int restart, boolean kmeans) {
        return new VqVae2Config(imageChannels, imageHeight, imageWidth, hiddenChannels, residualChannels,
                residualBlocks, numCodes, codeDims, beta, ema, emaDecay, emaEpsilon, restart, kmeans);
    }

    /** Number of levels. */
    public int levels() {
        return numCodes.size();
    }

    /**
     * Downsampling factor of a level: {@code 4 * 2^level}.
     *
     * @param level 0 = bottom
     * @return the factor
     */
    public int factor(int level) {
        return 4 << level;
    }

    /**
     * Throws with a message naming the first bad value.
     *
     * @return this configuration
     */
    public VqVae2Config validate() {
        if (numCodes == null || codeDims == null || numCodes.size() != codeDims.size()) {
            throw new IllegalArgumentException("numCodes and codeDims must list one value per level");
        }
        if (levels() < 2) {
            throw new IllegalArgumentException("VQ-VAE-2 needs at least 2 levels, got " + levels());
        }
        for (int l = 0; l < levels(); l++) {
            if (numCodes.get(l) < 1 || codeDims.get(l) < 1) {
                throw new IllegalArgumentException("level " + l + " needs K >= 1 and D >= 1");
            }
        }
        if (imageChannels < 1 || hiddenChannels < 2 || residualChannels < 1 || residualBlocks < 0) {
            throw new IllegalArgumentException("channel counts must be positive");
        }
        int f = factor(levels() - 1);
        if (imageHeight < f || imageWidth < f || imageHeight % f != 0 || imageWidth % f != 0) {
            throw new IllegalArgumentException("image size " + imageHeight + "x" + imageWidth + " must be a multiple of "
                    + f + " for " + levels() + " levels");
        }
        if (!(beta >= 0) || restartAfter < 0) {
            throw new IllegalArgumentException("beta and restartAfter must be >= 0");
        }
        if (ema && !(emaDecay > 0 && emaDecay < 1 && emaEpsilon > 0)) {
            throw new IllegalArgumentException("emaDecay must be in (0, 1) and emaEpsilon > 0");
        }
        return this;
    }

    /**
     * Returns this configuration as JSON tagged {@code "model": "vqvae2"}.
     *
     * @return JSON text
     */
    public String toJson() {
        JsonObject o = JsonUtils.GSON.toJsonTree(this).getAsJsonObject();
        o.addProperty("model", "vqvae2");
        return JsonUtils.GSON_PRETTY.toJson(o);
    }

    /**
     * Whether a configuration JSON describes a VQ-VAE-2.
     *
     * @param json configuration JSON
     * @return true if tagged vqvae2
     */
    public static boolean isVqVae2(String json) {
        try {
            JsonObject o = JsonUtils.GSON.fromJson(json, JsonObject.class);
            return o != null && o.has("model") && "vqvae2".equals(o.get("model").getAsString());
        } catch (JsonParseException | IllegalStateException e) {
            return false;
        }
    }

    /**
     * Parses and validates a configuration.
     *
     * @param json JSON from {@link #toJson()}
     * @return the configuration
     */
    public static VqVae2Config fromJson(String json) {
        try {
            VqVae2Config c = JsonUtils.GSON.fromJson(json, VqVae2Config.class);
            if (c == null) {
                throw new IllegalArgumentException("empty model config");
            }
            return c.validate();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("malformed model config: " + e.getMessage(), e);
        }
    }
}
