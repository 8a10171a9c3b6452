package org.vqvae.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.PriorSampler;

/**
 * Sampling whole code maps (one per class of a batch of 16) from an untrained prior, with the
 * naive sampler (the whole map again for every position) and the fast one (only what a position
 * needs: the receptive band of a Gated PixelCNN; cached keys, values and block inputs for
 * PixelSNAIL).
 */
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 2)
public class SamplingBenchmark extends DeviceBenchmark {

    @Param({"pixelcnn-8", "pixelsnail-8", "pixelsnail-16"})
    String prior;

    @Param({"naive", "fast"})
    String sampler;

    @Param({"16"})
    int samples;

    private NDManager manager;
    private CodePrior model;
    private long[] classes;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.getEngine("PyTorch").setRandomSeed(0);
        manager = NDManager.newBaseManager(BenchDevices.of(device));
        model = BenchModels.prior(prior).initialize(manager);
        classes = new long[samples];
        for (int i = 0; i < samples; i++) {
            classes[i] = i % model.numClasses();
        }
    }

    @Benchmark
    public long sample() {
        long[][] codes = new PriorSampler(model, 1f, 0, "fast".equals(sampler)).sample(classes, 1, manager);
        return codes[0][codes[0].length - 1];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }
}
