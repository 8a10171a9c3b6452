package org.vqvae.cli;

import org.vqvae.core.data.ImageSource;
import org.vqvae.core.model.VqVaeConfig;

import picocli.CommandLine.Option;

/** Architecture flags of {@code train}; unset flags keep the paper's defaults. */
final class ModelOptions {

    @Option(names = "--hidden", paramLabel = "C", description = "Hidden channels (default 128).")
    Integer hidden;

    @Option(names = "--res-channels", paramLabel = "C", description = "Channels inside residual blocks (default 32).")
    Integer residualChannels;

    @Option(names = "--res-blocks", paramLabel = "N", description = "Residual blocks per stack (default 2).")
    Integer residualBlocks;

    @Option(names = {"--codes", "-K"}, paramLabel = "K", description = "Codebook size K (default 512).")
    Integer codes;

    @Option(names = {"--code-dim", "-D"}, paramLabel = "D", description = "Code dimension D (default 64).")
    Integer codeDim;

    @Option(names = "--downsample", paramLabel = "F", description = "Encoder downsampling: 2, 4 or 8 (default 4).")
    Integer downsample;

    @Option(names = "--beta", paramLabel = "B", description = "Commitment cost beta (default 0.25).")
    Float beta;

    @Option(names = "--ema", arity = "0..1", paramLabel = "true|false",
            description = "Update codebooks by exponential moving averages, decay 0.99 (default: off for vqvae, on for vqvae2).")
    Boolean ema;

    @Option(names = "--model", paramLabel = "vqvae|vqvae2", defaultValue = "vqvae",
            description = "Architecture (default ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--levels", paramLabel = "N", defaultValue = "2", description = "VQ-VAE-2 levels (default ${DEFAULT-VALUE}).")
    int levels;

    @Option(names = "--restart-after", paramLabel = "N",
            description = "Restart codes unused for N training steps from random encoder outputs (default 20; 0: never).")
    Integer restartAfter;

    @Option(names = "--kmeans-init", description = "Start the codebook at k-means++ centres of the first batch.")
    Boolean kmeansInit;

    @Option(names = "--paper",
            description = "The paper's literal quantizer whatever the defaults: codebook loss (no EMA), no restarts,"
                    + " no k-means start; refuses flags that say otherwise.")
    boolean paper;

    /** Whether any architecture flag was given. */
    boolean anySet() {
        return paper || hidden != null || residualChannels != null || !"vqvae".equals(arch) || residualBlocks != null || codes != null
                || codeDim != null || downsample != null || beta != null || ema != null || restartAfter != null
                || kmeansInit != null;
    }

    /** Whether the VQ-VAE-2 architecture was asked for. */
    boolean hierarchical() {
        return switch (arch) {
            case "vqvae" -> false;
            case "vqvae2" -> true;
            default -> throw new IllegalArgumentException("--model must be vqvae or vqvae2, got " + arch);
        };
    }

    /**
     * Returns the VQ-VAE-2 configuration for images like these.
     *
     * @param images the training images
     * @return the validated configuration
     */
    org.vqvae.core.model.VqVae2Config config2(ImageSource images) {
        if (paper) {
            throw new IllegalArgumentException("--paper is the VQ-VAE of van den Oord et al.; it does not apply to --model vqvae2");
        }
        var d = org.vqvae.core.model.VqVae2Config.defaults(images.channels(), images.height(), images.width(), levels);
        int n = levels;
        return new org.vqvae.core.model.VqVae2Config(d.imageChannels(), d.imageHeight(), d.imageWidth(),
                hidden != null ? hidden : d.hiddenChannels(),
                residualChannels != null ? residualChannels : d.residualChannels(),
                residualBlocks != null ? residualBlocks : d.residualBlocks(),
                java.util.Collections.nCopies(n, codes != null ? codes : 512),
                java.util.Collections.nCopies(n, codeDim != null ? codeDim : 64),
                beta != null ? beta : d.beta(),
                ema != null ? ema : d.ema(),
                d.emaDecay(), d.emaEpsilon(),
                restartAfter != null ? restartAfter : d.restartAfter(),
                kmeansInit != null ? kmeansInit : d.kmeansInit()).validate();
    }

    /**
     * Returns the configuration for images like these.
     *
     * @param images the training images
     * @return the validated configuration
     */
    VqVaeConfig config(ImageSource images) {
        return config(images.channels(), images.height(), images.width());
    }

    /**
     * Returns the configuration for images of this size.
     *
     * @param channels image channels
     * @param height image height
     * @param width image width
     * @return the validated configuration
     */
    VqVaeConfig config(int channels, int height, int width) {
        if (paper) {
            checkPaper();
        }
        VqVaeConfig d = paper ? VqVaeConfig.paper(channels, height, width) : VqVaeConfig.defaults(channels, height, width);
        return new VqVaeConfig(d.imageChannels(), d.imageHeight(), d.imageWidth(),
                hidden != null ? hidden : d.hiddenChannels(),
                residualChannels != null ? residualChannels : d.residualChannels(),
                residualBlocks != null ? residualBlocks : d.residualBlocks(),
                codes != null ? codes : d.numCodes(),
                codeDim != null ? codeDim : d.codeDim(),
                beta != null ? beta : d.beta(),
                downsample != null ? downsample : d.downsample(),
                ema != null ? ema : d.ema(),
                d.emaDecay(), d.emaEpsilon(),
                restartAfter != null ? restartAfter : d.restartAfter(),
                kmeansInit != null ? kmeansInit : d.kmeansInit()).validate();
    }

    /** --paper fixes the quantizer: a flag asking for another one is a mistake, not an override. */
    private void checkPaper() {
        if (Boolean.TRUE.equals(ema) || (restartAfter != null && restartAfter != 0) || Boolean.TRUE.equals(kmeansInit)) {
            throw new IllegalArgumentException("--paper trains the paper's quantizer (codebook loss, no restarts, no"
                    + " k-means start); drop --ema, --restart-after or --kmeans-init");
        }
    }
}
