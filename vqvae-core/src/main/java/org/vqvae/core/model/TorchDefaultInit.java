package org.vqvae.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;

/**
 * Re-draws convolution weights and biases as PyTorch's layers start them ({@code
 * kaiming_uniform_(a=sqrt(5))}, i.e. uniform in {@code +-1/sqrt(fan_in)} for both, with fan_in =
 * {@code weight.shape[1] * kernel area}). DJL's Xavier default starts 2-3x larger, which makes
 * the VQ losses of the first hundred steps explode; with this the model starts where the PyTorch
 * reference implementations start.
 */
public final class TorchDefaultInit {

    private TorchDefaultInit() {}

    /**
     * Re-initialises every convolution below a block, recursively.
     *
     * @param block an initialised block
     * @param manager manager for temporaries (uses the engine's seeded generator)
     */
    public static void apply(Block block, NDManager manager) {
        for (Block child : block.getChildren().values()) {
            if (child instanceof Convolution || child instanceof UpsampleConv) {
                Parameter w = child.getParameters().get("weight");
                Parameter b = child.getParameters().contains("bias") ? child.getParameters().get("bias") : null;
                Shape s = w.getArray().getShape();
                long fanIn = s.size() / s.get(0);
                float bound = (float) (1 / Math.sqrt(fanIn));
                redraw(w.getArray(), bound, manager);
                if (b != null) {
                    redraw(b.getArray(), bound, manager);
                }
            } else {
                apply(child, manager);
            }
        }
    }

    /**
     * Re-initialises the direct parameters of a block that holds its convolutions as raw
     * parameters: every 4-dimensional {@code [out, in, kh, kw]} parameter named {@code ...Weight}
     * and the {@code ...Bias} of the same prefix.
     *
     * @param block an initialised block
     * @param manager manager for temporaries
     */
    public static void redrawConvolutionParameters(Block block, NDManager manager) {
        var params = block.getDirectParameters();
        for (var entry : params) {
            String name = entry.getKey();
            NDArray w = entry.getValue().getArray();
            if (!name.endsWith("Weight") || w.getShape().dimension() != 4) {
                continue;
            }
            Shape s = w.getShape();
            float bound = (float) (1 / Math.sqrt(s.size() / s.get(0)));
            redraw(w, bound, manager);
            String bias = name.substring(0, name.length() - "Weight".length()) + "Bias";
            if (params.contains(bias)) {
                redraw(params.get(bias).getArray(), bound, manager);
            }
        }
    }

    /**
     * Applies {@link #redrawConvolutionParameters} to a block and every block below it.
     *
     * @param block an initialised block
     * @param manager manager for temporaries
     */
    public static void redrawConvolutionParametersRecursively(Block block, NDManager manager) {
        redrawConvolutionParameters(block, manager);
        for (Block child : block.getChildren().values()) {
            redrawConvolutionParametersRecursively(child, manager);
        }
    }

    private static void redraw(NDArray target, float bound, NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray values = scratch.randomUniform(-bound, bound, target.getShape(), target.getDataType(), target.getDevice());
            target.set(new NDIndex(":"), values);
        }
    }
}
