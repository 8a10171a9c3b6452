package org.vqvae.core.io.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** Copies tensors into (and out of) a {@link TorchNamed} block by name. */
public final class TorchWeights {

    private TorchWeights() {}

    /**
     * Fills every parameter of an initialised block from the tensors of the same names, after checking
     * that the tensors are exactly the block's: each present with its shape, no other.
     *
     * @param block the block
     * @param weights the tensors (float32 or float16)
     * @param what the architecture, for messages
     * @throws WeightFormatException naming the first difference
     */
    public static void fill(TorchNamed block, StateDict weights, String what) throws WeightFormatException {
        fill(block.torchParameters(), weights, what);
    }

    /**
     * Fills parameters from the tensors of the same names, after checking that the tensors are
     * exactly these: each present with its shape, no other.
     *
     * @param params name to parameter (initialised)
     * @param weights the tensors (float32 or float16)
     * @param what the architecture, for messages
     * @throws WeightFormatException naming the first difference
     */
    public static void fill(Map<String, Parameter> params, StateDict weights, String what)
            throws WeightFormatException {
        weights.requireOnly(params.keySet(), what);
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            TensorData t = weights.require(e.getKey(), e.getValue().getArray().getShape().getShape(), what);
            if (t.type() == TensorType.INT64) {
                throw new WeightFormatException("not a " + what + ": " + e.getKey() + " holds integers");
            }
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray target = e.getValue().getArray();
            try (NDManager tmp = NDManager.newBaseManager(target.getDevice())) {
                NDArray a = weights.tensors().get(e.getKey()).toNDArray(tmp).toType(DataType.FLOAT32, false);
                target.set(FloatBuffer.wrap(a.toFloatArray()));
            }
        }
    }

    /**
     * Returns the parameters of an initialised block as tensors under their state_dict names.
     *
     * @param block the block
     * @return name to tensor, in the source's order
     */
    public static Map<String, TensorData> tensors(TorchNamed block) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : block.torchParameters().entrySet()) {
            out.put(e.getKey(), TensorData.of(e.getValue().getArray()));
        }
        return out;
    }
}
