package org.vqvae.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The device's float32 matrix-multiply rate through the same engine: a square {@code n x n}
 * product, {@code 2 n^3} FLOPs. Every other figure is put against it.
 */
public class MatmulBenchmark extends DeviceBenchmark {

    @Param({"1024"})
    int n;

    private NDManager manager;
    private NDArray a;
    private NDArray b;

    @Setup(Level.Trial)
    public void setUp() {
        manager = NDManager.newBaseManager(BenchDevices.of(device));
        a = manager.randomUniform(-1, 1, new Shape(n, n));
        b = manager.randomUniform(-1, 1, new Shape(n, n));
    }

    @Benchmark
    public double matmul() {
        try (NDManager step = manager.newSubManager()) {
            a.tempAttach(step); // the product and its temporaries are freed with the step
            return BenchDevices.sync(a.matMul(b));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }
}
