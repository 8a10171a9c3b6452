package org.vqvae.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;

import java.util.Arrays;

/**
 * The residual stack of VQ-VAE (paper, section 4.1): {@code blocks} times
 * {@code x + conv1x1(relu(conv3x3(relu(x))))}, the 3x3 convolution narrowing to {@code
 * residualChannels} and the 1x1 convolution widening back. Shape-preserving: {@code [N, C, H, W]}.
 */
public final class ResidualStack {

    private ResidualStack() {}

    /**
     * Appends the residual blocks to a sequential block.
     *
     * @param into the block to append to
     * @param channels C, the trunk channels
     * @param residualChannels channels inside each block
     * @param blocks number of blocks
     * @return {@code into}
     */
    public static SequentialBlock append(
            SequentialBlock into, int channels, int residualChannels, int blocks) {
        for (int i = 0; i < blocks; i++) {
            SequentialBlock branch =
                    new SequentialBlock()
                            .add(Activation.reluBlock())
                            .add(Layers.conv(residualChannels, 3, 1, 1))
                            .add(Activation.reluBlock())
                            .add(Layers.conv(channels, 1, 1, 0));
            into.add(
                    new ParallelBlock(
                            list -> {
                                NDArray sum = list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow());
                                return new NDList(sum);
                            },
                            Arrays.asList(branch, Blocks.identityBlock())));
        }
        return into;
    }

    /** Convolution helpers shared by the encoder and decoder. */
    static final class Layers {
        private Layers() {}

        static Conv2d conv(int filters, int kernel, int stride, int padding) {
            return Conv2d.builder()
                    .setFilters(filters)
                    .setKernelShape(new Shape(kernel, kernel))
                    .optStride(new Shape(stride, stride))
                    .optPadding(new Shape(padding, padding))
                    .build();
        }
    }
}
