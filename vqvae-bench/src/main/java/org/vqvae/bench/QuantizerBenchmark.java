package org.vqvae.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.vqvae.core.quantize.Codebooks;

/**
 * The quantizer's forward pass on N vectors of D = 64 against a K-code codebook: nearest code
 * (one {@code N x D} by {@code D x K} product, then argmin) and the codebook gather. Its FLOPs are
 * {@code 2 N K D}; the report divides them by the time and by the matmul rate of the same run.
 */
public class QuantizerBenchmark extends DeviceBenchmark {

    @Param({"4096", "65536"})
    int vectors;

    @Param({"512", "8192"})
    int codes;

    @Param({"64"})
    int dim;

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
