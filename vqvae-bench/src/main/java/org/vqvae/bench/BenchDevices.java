package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;

/** Device parameters of the benchmarks and the wait for an asynchronous (CUDA) result. */
final class BenchDevices {

    private BenchDevices() {}

    /**
     * Parses a device parameter.
     *
     * @param name {@code cpu} or {@code gpu}
     * @return the device
     */
    static Device of(String name) {
        return switch (name) {
            case "cpu" -> Device.cpu();
            case "gpu", "cuda" -> Device.gpu();
            default -> throw new IllegalArgumentException("device must be cpu or gpu, got " + name);
        };
    }

    /**
     * Waits for a result by reading one element of it (CUDA kernels run asynchronously).
     *
     * @param result any non-empty array
     * @return the element, to be consumed by the benchmark
     */
    static double sync(NDArray result) {
        NDArray first = result.flatten().get(0);
        return first.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
    }
}
