package org.vqvae.bench;

import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.GatedPixelCnn;
import org.vqvae.prior.PixelCnnConfig;
import org.vqvae.prior.PixelSnail;
import org.vqvae.prior.PixelSnailConfig;

/**
 * The models the benchmarks time, by name, each with the same architecture as its PyTorch
 * counterpart in {@code vqvae-bench/python/torch_bench.py}.
 */
final class BenchModels {

    private BenchModels() {}

    /**
     * Builds an autoencoder.
     *
     * @param name {@code vqvae-28} (the paper's model, 1x28x28), {@code vqvae-32} (3x32x32) or
     *     {@code vqvae2-256} (2 levels, 3x256x256); without dead-code restarts, as the PyTorch
     *     counterparts
     * @return the uninitialised model
     */
    static CodeModel autoencoder(String name) {
        return switch (name) {
            case "vqvae-28" -> new VqVae(VqVaeConfig.paper(1, 28, 28));
            case "vqvae-32" -> new VqVae(VqVaeConfig.paper(3, 32, 32));
            case "vqvae2-256" -> new VqVae2(VqVae2Config.defaults(3, 256, 256, 2).withCodebookHealth(0, false));
            default -> throw new IllegalArgumentException("unknown model " + name);
        };
    }

    /**
     * Builds a prior over K = 512 codes, 10 classes.
     *
     * @param name {@code pixelcnn-S} (the default Gated PixelCNN: 64 channels, 12 layers) or
     *     {@code pixelsnail-S} (the default PixelSNAIL: 64 channels, 2 blocks of 2 gated layers and
     *     2-head attention) over S x S maps
     * @return the uninitialised prior
     */
    static CodePrior prior(String name) {
        int dash = name.lastIndexOf('-');
        int size = Integer.parseInt(name.substring(dash + 1));
        return switch (name.substring(0, dash)) {
            case "pixelcnn" -> new GatedPixelCnn(PixelCnnConfig.defaults(512, 10, size, size));
            case "pixelsnail" -> new PixelSnail(PixelSnailConfig.defaults(512, 10, size, size));
            default -> throw new IllegalArgumentException("unknown prior " + name);
        };
    }
}
