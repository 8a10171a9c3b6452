package org.vqvae.core.model;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;

/**
 * The VQ-VAE encoder (paper, section 4.1): {@code log2(downsample)} 4x4 stride-2 convolutions with
 * ReLU, a 3x3 convolution, a residual stack, ReLU and a 1x1 projection to the code dimension D.
 *
 * <p>Input {@code [N, C, H, W]}; output {@code [N, D, H/f, W/f]} for downsampling factor f.
 */
public final class Encoder {

    private Encoder() {}

    /**
     * Builds the encoder described by a model configuration.
     *
     * @param config the model configuration
     * @return the encoder block
     */
    public static SequentialBlock build(VqVaeConfig config) {
        int h = config.hiddenChannels();
        int strided = Integer.numberOfTrailingZeros(config.downsample());
        SequentialBlock block = new SequentialBlock();
        for (int i = 0; i < strided; i++) {
            int filters = i == strided - 1 ? h : Math.max(1, h / 2);
            block.add(ResidualStack.Layers.conv(filters, 4, 2, 1)).add(Activation.reluBlock());
        }
        block.add(ResidualStack.Layers.conv(h, 3, 1, 1));
        ResidualStack.append(block, h, config.residualChannels(), config.residualBlocks());
        block.add(Activation.reluBlock());
        block.add(ResidualStack.Layers.conv(config.codeDim(), 1, 1, 0));
        return block;
    }
}
