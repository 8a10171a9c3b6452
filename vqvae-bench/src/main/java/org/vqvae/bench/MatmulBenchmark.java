package org.vqvae.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The device's float32 matrix-multiply rate through the same engine: a square {@code n x n}
 * product, {@code 2 n^3} FLOPs. Every other figure is put against it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_interop_threads=1"})
public class MatmulBenchmark {

    @Param({"1024"})
    int n;

    @Param({"cpu"})
    String device;

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
