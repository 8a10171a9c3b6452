package org.vqvae.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.vqvae.core.model.CodeModel;

/** Encoding images to code maps and decoding code maps to images (inference), per batch. */
public class CodecBenchmark extends DeviceBenchmark {

    @Param({"vqvae-28:128", "vqvae2-256:16"})
    String model;

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
