package org.vqvae.prior.rosinality;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

import java.util.ArrayList;
import java.util.List;

/**
 * rosinality's {@code CondResNet} over the one-hot codes of the level above: a same-padded
 * weight-normalised convolution to {@code cond_res_channel} channels, then same-padded gated
 * residual blocks. Keys {@code cond_resnet.blocks.0.conv}, {@code cond_resnet.blocks.i} (i from 1).
 */
final class CondResNet {

    /** rosinality builds these blocks with GatedResBlock's default dropout, not the model's. */
    private static final float DROPOUT = 0.1f;

    private final WnConv2d first;
    private final List<GatedResBlock> blocks = new ArrayList<>();

    CondResNet(ParameterSink sink, int numCodes, int channel, int kernel, int resBlocks, boolean inplaceElu) {
        first = new WnConv2d(sink, "cond_resnet.blocks.0.conv", numCodes, channel, kernel, kernel,
                WnConv2d.Padding.SAME, true);
        for (int i = 1; i <= resBlocks; i++) {
            blocks.add(new GatedResBlock(sink, "cond_resnet.blocks." + i, channel, channel, kernel, false, DROPOUT,
                    0, 0, inplaceElu));
        }
    }

    NDArray forward(ParameterStore ps, NDArray oneHot, boolean training) {
        NDArray h = first.forward(ps, oneHot, training);
        for (GatedResBlock b : blocks) {
            h = b.forward(ps, h, null, null, training);
        }
        return h;
    }
}
