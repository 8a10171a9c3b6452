package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Measures the device's float32 matrix-multiply rate through the same engine: the roofline every figure is put against. */
public final class MatmulRate {

    private MatmulRate() {}

    /**
     * Returns the best of several timed square matrix products, in GFLOP/s.
     *
     * @param n matrix size
     * @param repeats timed products
     * @param device the device
     * @return GFLOP/s
     */
    public static double gflops(int n, int repeats, Device device) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            a.matMul(b).close(); // warm-up
            double best = Double.MAX_VALUE;
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // waits for the result
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return 2.0 * n * n * n / best / 1e9;
        }
    }
}
