package org.vqvae.core.model;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;

/**
 * The VQ-VAE decoder, mirroring the {@link Encoder}: a 3x3 convolution from D to the hidden
 * channels, a residual stack, ReLU, then {@code log2(downsample)} 4x4 stride-2 transposed
 * convolutions (ReLU between them) back to the image channels.
 *
 * <p>Input {@code [N, D, h, w]}; output {@code [N, C, h*f, w*f]}.
 */
public final class Decoder {

    private Decoder() {}

    /**
     * Builds the decoder described by a model configuration.
     *
     * @param config the model configuration
     * @return the decoder block
     */
    public static SequentialBlock build(VqVaeConfig config) {
        int h = config.hiddenChannels();
        int strided = Integer.numberOfTrailingZeros(config.downsample());
        SequentialBlock block = new SequentialBlock();
        block.add(ResidualStack.Layers.conv(h, 3, 1, 1));
        ResidualStack.append(block, h, config.residualChannels(), config.residualBlocks());
        block.add(Activation.reluBlock());
        for (int i = 0; i < strided; i++) {
            boolean last = i == strided - 1;
            block.add(upsample(last ? config.imageChannels() : Math.max(1, h / 2)));
            if (!last) {
                block.add(Activation.reluBlock());
            }
        }
        return block;
    }

    private static UpsampleConv upsample(int filters) {
        return new UpsampleConv(filters);
    }
}
