package org.vqvae.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

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
import org.vqvae.core.model.CodeModel;

import java.util.concurrent.TimeUnit;

/** Encoding images to code maps and decoding code maps to images (inference), per batch. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_interop_threads=1"})
public class CodecBenchmark {

    @Param({"vqvae-28:128", "vqvae2-256:16"})
    String model;

    @Param({"cpu"})
    String device;

    private NDManager manager;
    private CodeModel codec;
    private NDArray images;
    private NDList codes;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.getEngine("PyTorch").setRandomSeed(0);
        String[] parts = model.split(":");
        manager = NDManager.newBaseManager(BenchDevices.of(device));
        codec = BenchModels.autoencoder(parts[0]).initialize(manager);
        images = manager.randomUniform(-0.5f, 0.5f, codec.inputShape(Integer.parseInt(parts[1])));
        codes = codec.encodeLevels(images);
    }

    @Benchmark
    public double encode() {
        try (NDManager step = manager.newSubManager()) {
            images.tempAttach(step);
            return BenchDevices.sync(codec.encodeLevels(images).get(0));
        }
    }

    @Benchmark
    public double decode() {
        try (NDManager step = manager.newSubManager()) {
            for (NDArray c : codes) {
                c.tempAttach(step);
            }
            return BenchDevices.sync(codec.decodeLevels(codes));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }
}
