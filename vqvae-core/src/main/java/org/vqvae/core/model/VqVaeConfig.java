package org.vqvae.core.model;

import com.google.gson.JsonParseException;

import ai.djl.util.JsonUtils;

/**
 * Everything needed to rebuild a {@link VqVae}; saved beside every checkpoint as JSON.
 *
 * <p>The architecture defaults are those of the paper (arXiv 1711.00937, section 4.1): 128 hidden
 * channels, two residual blocks of 32 channels, K = 512 codes of D = 64 dimensions, beta = 0.25,
 * downsampling by 4. The quantizer's default adds one thing the paper does not have: a code unused
 * for {@link #DEFAULT_RESTART_AFTER} steps restarts at a random encoder output, because the
 * paper's codebook otherwise collapses (Fashion-MNIST, 300 steps, seeds 0-2: 2 to 5 codes of 512 in
 * use and held-out MSE 0.0245-0.0871; with restarts all 512 and 0.0116-0.0163). {@link #paper}
 * is the literal paper.
 *
 * @param imageChannels channels of the input images (1 for MNIST, 3 for colour)
 * @param imageHeight height of the images the model was built for
 * @param imageWidth width of the images the model was built for
 * @param hiddenChannels channels of the encoder and decoder trunks
 * @param residualChannels channels inside each residual block
 * @param residualBlocks residual blocks in each stack
 * @param numCodes K, the codebook size
 * @param codeDim D, the dimension of a code vector
 * @param beta the commitment cost
 * @param downsample spatial reduction of the encoder: 2, 4 or 8
 * @param ema whether the codebook follows exponential moving averages instead of its loss
 * @param emaDecay decay of the moving averages
 * @param emaEpsilon Laplace smoothing of the EMA counts
 * @param restartAfter restart codes unused for this many training steps (0: never)
 * @param kmeansInit start the codebook at k-means++ centres of the first training batch
 */
public record VqVaeConfig(
        int imageChannels,
        int imageHeight,
        int imageWidth,
        int hiddenChannels,
        int residualChannels,
        int residualBlocks,
        int numCodes,
        int codeDim,
        float beta,
        int downsample,
        boolean ema,
        float emaDecay,
        float emaEpsilon,
        int restartAfter,
        boolean kmeansInit) {

    /** Steps a code may go unused before it restarts, by default (both models). */
    public static final int DEFAULT_RESTART_AFTER = 20;

    /**
     * Returns the default configuration for images of the given size: the paper's architecture
     * with dead-code restarts.
     *
     * @param channels image channels
     * @param height image height
     * @param width image width
     * @return the default configuration
     */
    public static VqVaeConfig defaults(int channels, int height, int width) {
        return new VqVaeConfig(channels, height, width, 128, 32, 2, 512, 64, 0.25f, 4, false, 0.99f, 1e-5f,
                DEFAULT_RESTART_AFTER, false);
    }

    /**
     * Returns the paper's literal model whatever the defaults become: its architecture and the
     * quantizer of eq. 3 (codebook loss, no EMA), with no dead-code restarts and no k-means start.
     *
     * @param channels image channels
     * @param height image height
     * @param width image width
     * @return the paper's configuration
     */
    public static VqVaeConfig paper(int channels, int height, int width) {
        return new VqVaeConfig(channels, height, width, 128, 32, 2, 512, 64, 0.25f, 4, false, 0.99f, 1e-5f, 0, false);
    }

    /**
     * Returns a copy with a different codebook size and code dimension.
     *
     * @param k codebook size
     * @param d code dimension
     * @return the new configuration
     */
    public VqVaeConfig withCodebook(int k, int d) {
        return new VqVaeConfig(imageChannels, imageHeight, imageWidth, hiddenChannels, residualChannels,
                residualBlocks, k, d, beta, downsample, ema, emaDecay, emaEpsilon, restartAfter, kmeansInit);
    }

    /**
     * Returns a copy with different trunk sizes.
     *
     * @param hidden hidden channels
     * @param residual residual-block channels
     * @param blocks residual blocks
     * @return the new configuration
     */
    public VqVaeConfig withTrunk(int hidden, int residual, int blocks) {
        return new VqVaeConfig(imageChannels, imageHeight, imageWidth, hidden, residual, blocks,
                numCodes, codeDim, beta, downsample, ema, emaDecay, emaEpsilon, restartAfter, kmeansInit);
    }

    /**
     * Returns a copy with a different downsampling factor.
     *
     * @param factor 2, 4 or 8
     * @return the new configuration
     */
    public VqVaeConfig withDownsample(int factor) {
        return new VqVaeConfig(imageChannels, imageHeight, imageWidth, hiddenChannels, residualChannels,
                residualBlocks, numCodes, codeDim, beta, factor, ema, emaDecay, emaEpsilon, restartAfter, kmeansInit);
    }

    /**
     * Returns a copy with the EMA codebook switched on or off.
     *
     * @param useEma true for EMA codebook updates
     * @return the new configuration
     */
    public VqVaeConfig withEma(boolean useEma) {
        return new VqVaeConfig(imageChannels, imageHeight, imageWidth, hiddenChannels, residualChannels,
                residualBlocks, numCodes, codeDim, beta, downsample, useEma, emaDecay, emaEpsilon, restartAfter, kmeansInit);
    }

    /**
     * Returns a copy with other codebook-health settings.
     *
     * @param restart restart codes unused for this many steps (0: never)
     * @param kmeans seed the codebook by k-means++ on the first batch
     * @return the new configuration
     */
    public VqVaeConfig withCodebookHealth(int restart, boolean kmeans) {
        return new VqVaeConfig(imageChannels, imageHeight, imageWidth, hiddenChannels, residualChannels,
                residualBlocks, numCodes, codeDim, beta, downsample, ema, emaDecay, emaEpsilon, restart, kmeans);
    }

    /** Height of the code map. */
    public int codeHeight() {
        return imageHeight / downsample;
    }

    /** Width of the code map. */
    public int codeWidth() {
        return imageWidth / downsample;
    }

    /**
     * Throws with a message naming the first bad value.
     *
     * @return this configuration
     */
    public VqVaeConfig validate() {
        positive("imageChannels", imageChannels);
        positive("imageHeight", imageHeight);
        positive("imageWidth", imageWidth);
        positive("hiddenChannels", hiddenChannels);
        positive("residualChannels", residualChannels);
        if (residualBlocks < 0) {
            throw new IllegalArgumentException("residualBlocks must be >= 0, got " + residualBlocks);
        }
        positive("numCodes", numCodes);
        positive("codeDim", codeDim);
        if (downsample != 2 && downsample != 4 && downsample != 8) {
            throw new IllegalArgumentException("downsample must be 2, 4 or 8, got " + downsample);
        }
        if (imageHeight % downsample != 0 || imageWidth % downsample != 0) {
            throw new IllegalArgumentException("image size " + imageHeight + "x" + imageWidth
                    + " is not divisible by the downsampling factor " + downsample);
        }
        if (!(beta >= 0)) {
            throw new IllegalArgumentException("beta must be >= 0, got " + beta);
        }
        if (restartAfter < 0) {
            throw new IllegalArgumentException("restartAfter must be >= 0, got " + restartAfter);
        }
        if (ema && !(emaDecay > 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("emaDecay must be in (0, 1), got " + emaDecay);
        }
        if (ema && !(emaEpsilon > 0)) {
            throw new IllegalArgumentException("emaEpsilon must be > 0, got " + emaEpsilon);
        }
        return this;
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    /**
     * Returns this configuration as pretty-printed JSON.
     *
     * @return JSON text
     */
    public String toJson() {
        return JsonUtils.GSON_PRETTY.toJson(this);
    }

    /**
     * Parses and validates a configuration.
     *
     * @param json JSON text as written by {@link #toJson()}
     * @return the configuration
     * @throws IllegalArgumentException if the text is not a valid configuration
     */
    public static VqVaeConfig fromJson(String json) {
        VqVaeConfig config;
        try {
            config = JsonUtils.GSON.fromJson(json, VqVaeConfig.class);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("malformed model config: " + e.getMessage(), e);
        }
        if (config == null) {
            throw new IllegalArgumentException("empty model config");
        }
        return config.validate();
    }
}
