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
        return build(config.imageChannels(), config.hiddenChannels(), config.residualChannels(),
                config.residualBlocks(), config.downsample());
    }

    /**
     * A decoder from any number of input channels (inferred) to {@code outChannels}.
     *
     * @param outChannels output channels
     * @param hidden hidden channels
     * @param residualChannels channels inside residual blocks
     * @param residualBlocks residual blocks
     * @param upsample 2, 4 or 8
     * @return the block
     */
    public static SequentialBlock build(int outChannels, int hidden, int residualChannels, int residualBlocks,
            int upsample) {
        int h = hidden;
        int strided = Integer.numberOfTrailingZeros(upsample);
        SequentialBlock block = new SequentialBlock();
        block.add(ResidualStack.Layers.conv(h, 3, 1, 1));
        ResidualStack.append(block, h, residualChannels, residualBlocks);
        block.add(Activation.reluBlock());
        for (int i = 0; i < strided; i++) {
            boolean last = i == strided - 1;
            block.add(upsample(last ? outChannels : Math.max(1, h / 2)));
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
