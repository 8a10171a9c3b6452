package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.CheckpointableAdam;
import org.vqvae.core.train.TrainingStep;
import org.vqvae.core.train.VqVaeLoss;

/**
 * One training step (forward, backward, Adam) on random images: the paper's VQ-VAE at 28x28 and
 * 32x32, batch 128, and the 2-level VQ-VAE-2 at 256x256, batch 16.
 */
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class TrainStepBenchmark extends DeviceBenchmark {

    @Param({"vqvae-28:128", "vqvae-32:128", "vqvae2-256:16"})
    String model;

    private Model djlModel;
    private Trainer trainer;
    private NDArray images;

    @Setup(Level.Trial)
    public void setUp() {
        Device d = BenchDevices.of(device);
        Engine.getEngine("PyTorch").setRandomSeed(0);
        String[] parts = model.split(":");
        CodeModel vqvae = BenchModels.autoencoder(parts[0]);
        djlModel = Model.newInstance("bench", d);
        djlModel.setBlock(vqvae);
        vqvae.initialize(djlModel.getNDManager());
        trainer = djlModel.newTrainer(new DefaultTrainingConfig(new VqVaeLoss())
                .optOptimizer(new CheckpointableAdam(2e-4f)).optDevices(new Device[] {d}));
        images = djlModel.getNDManager().randomUniform(-0.5f, 0.5f, vqvae.inputShape(Integer.parseInt(parts[1])));
    }

    @Benchmark
    public float step() {
        try (NDManager step = djlModel.getNDManager().newSubManager()) {
            images.tempAttach(step);
            return TrainingStep.run(trainer, new NDList(images));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        trainer.close();
        djlModel.close();
    }

}
