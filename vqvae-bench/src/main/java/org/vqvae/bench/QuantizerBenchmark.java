package org.vqvae.bench;

import ai.djl.engine.Engine;
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
import org.vqvae.core.quantize.Codebooks;

import java.util.concurrent.TimeUnit;

/**
 * The quantizer's forward pass on N vectors of D = 64 against a K-code codebook: nearest code
 * (one {@code N x D} by {@code D x K} product, then argmin) and the codebook gather. Its FLOPs are
 * {@code 2 N K D}; the report divides them by the time and by the matmul rate of the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_interop_threads=1"})
public class QuantizerBenchmark {

    @Param({"4096", "65536"})
    int vectors;

    @Param({"512", "8192"})
    int codes;

    @Param({"64"})
    int dim;

    @Param({"cpu"})
    String device;

    private NDManager manager;
    private NDArray z;
    private NDArray codebook;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.getEngine("PyTorch").setRandomSeed(0);
        manager = NDManager.newBaseManager(BenchDevices.of(device));
        z = manager.randomNormal(new Shape(vectors, dim));
        codebook = manager.randomNormal(new Shape(codes, dim));
    }

    @Benchmark
    public double nearestAndGather() {
        try (NDManager step = manager.newSubManager()) {
            z.tempAttach(step); // everything computed from z is freed with the step
            NDArray idx = Codebooks.nearestCodes(z, codebook);
            return BenchDevices.sync(Codebooks.lookup(idx, codebook));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }
}
