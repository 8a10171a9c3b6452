package org.vqvae.core.quantize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The result of one nearest-code lookup, before any loss is taken.
 *
 * @param flatInputs encoder outputs flattened to {@code [M, D]} (M = N * H * W), still attached
 *     to the autograd graph of the encoder
 * @param flatCodes the chosen code per row, {@code [M]} int64
 * @param flatQuantized the chosen codebook rows {@code [M, D]}; gradients flow to the codebook
 * @param mapShape the {@code [N, D, H, W]} shape of the encoder output
 */
public record Quantization(
        NDArray flatInputs, NDArray flatCodes, NDArray flatQuantized, Shape mapShape) {

    /**
     * Returns the straight-through quantized map {@code z + sg[e - z]}: its value is the codebook
     * vector, its gradient is copied unchanged to the encoder output (paper, section 3.2).
     *
     * @return {@code [N, D, H, W]}
     */
    public NDArray straightThrough() {
        NDArray diff = flatQuantized.sub(flatInputs).stopGradient();
        return toMap(flatInputs.add(diff));
    }

    /**
     * Returns the integer code map.
     *
     * @return {@code [N, H, W]} int64
     */
    public NDArray codeMap() {
        return flatCodes.reshape(mapShape.get(0), mapShape.get(2), mapShape.get(3));
    }

    /**
     * Returns the codebook loss {@code ||sg[z] - e||^2} (mean over elements), which moves only the
     * codebook.
     *
     * @return a scalar
     */
    public NDArray codebookLoss() {
        return flatQuantized.sub(flatInputs.stopGradient()).square().mean();
    }

    /**
     * Returns the commitment loss {@code ||z - sg[e]||^2} (mean over elements, before beta), which
     * moves only the encoder.
     *
     * @return a scalar
     */
    public NDArray commitmentLoss() {
        return flatInputs.sub(flatQuantized.stopGradient()).square().mean();
    }

    /**
     * Reshapes flat {@code [M, D]} rows back to a {@code [N, D, H, W]} map.
     *
     * @param flat rows in N, H, W order
     * @return the map
     */
    public NDArray toMap(NDArray flat) {
        return flat.reshape(mapShape.get(0), mapShape.get(2), mapShape.get(3), mapShape.get(1))
                .transpose(0, 3, 1, 2);
    }
}
