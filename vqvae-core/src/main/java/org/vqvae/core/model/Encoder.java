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
        SequentialBlock block = trunk(config.hiddenChannels(), config.residualChannels(), config.residualBlocks(),
                config.downsample());
        block.add(ResidualStack.Layers.conv(config.codeDim(), 1, 1, 0));
        return block;
    }

    /**
     * The encoder without its projection to D: strided convolutions, a 3x3 convolution, a
     * residual stack and ReLU, ending with {@code hidden} channels at 1/downsample resolution.
     *
     * @param hidden hidden channels
     * @param residualChannels channels inside residual blocks
     * @param residualBlocks residual blocks
     * @param downsample 2, 4 or 8
     * @return the block
     */
    public static SequentialBlock trunk(int hidden, int residualChannels, int residualBlocks, int downsample) {
        int h = hidden;
        int strided = Integer.numberOfTrailingZeros(downsample);
        SequentialBlock block = new SequentialBlock();
        for (int i = 0; i < strided; i++) {
            int filters = i == strided - 1 ? h : Math.max(1, h / 2);
            block.add(ResidualStack.Layers.conv(filters, 4, 2, 1)).add(Activation.reluBlock());
        }
        block.add(ResidualStack.Layers.conv(h, 3, 1, 1));
        ResidualStack.append(block, h, residualChannels, residualBlocks);
        block.add(Activation.reluBlock());
        return block;
    }
}
