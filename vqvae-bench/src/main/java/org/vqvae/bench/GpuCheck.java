package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Says which libtorch DJL loaded and whether it computes on a CUDA device: the first thing to run
 * on a GPU host ({@code vqvae-bench/gpu/run.sh} does). Exits 1 with one line when it sees no GPU.
 */
public final class GpuCheck {

    private GpuCheck() {}

    /**
     * Runs the check.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Engine engine = Engine.getEngine("PyTorch");
        System.out.println("DJL " + Engine.getDjlVersion() + ", libtorch " + engine.getVersion() + ", GPUs: "
                + engine.getGpuCount());
        if (engine.getGpuCount() == 0) {
            System.err.println("GpuCheck: the PyTorch engine sees no CUDA device");
            System.exit(1);
        }
        try (NDManager m = NDManager.newBaseManager(Device.gpu())) {
            NDArray a = m.randomUniform(-1, 1, new Shape(2048, 2048));
            NDArray b = a.matMul(a).sum();
            System.out.println("matmul on " + a.getDevice() + ": sum " + b.getFloat());
        }
    }
}
