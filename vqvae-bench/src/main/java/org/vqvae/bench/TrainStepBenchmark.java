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
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.CheckpointableAdam;
import org.vqvae.core.train.TrainingStep;
import org.vqvae.core.train.VqVaeLoss;

import java.util.concurrent.TimeUnit;

/** One training step (forward, backward, Adam) of the paper's VQ-VAE, in milliseconds per step. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_interop_threads=1"})
public class TrainStepBenchmark {

    @Param({"28", "32"})
    int size;

    @Param({"128"})
    int batch;

    @Param({"cpu"})
    String device;

    private Model model;
    private Trainer trainer;
    private NDArray images;

    @Setup(Level.Trial)
    public void setUp() {
        Device d = "gpu".equals(device) ? Device.gpu() : Device.cpu();
        Engine.getEngine("PyTorch").setRandomSeed(0);
        VqVae vqvae = new VqVae(VqVaeConfig.defaults(size == 32 ? 3 : 1, size, size));
        model = Model.newInstance("bench", d);
        model.setBlock(vqvae);
        vqvae.initialize(model.getNDManager());
        trainer = model.newTrainer(new DefaultTrainingConfig(new VqVaeLoss())
                .optOptimizer(new CheckpointableAdam(2e-4f)).optDevices(new Device[] {d}));
        images = model.getNDManager().randomUniform(-0.5f, 0.5f, vqvae.inputShape(batch));
    }

    @Benchmark
    public float step() {
        try (NDManager step = model.getNDManager().newSubManager()) {
            NDArray x = images.duplicate();
            x.attach(step);
            return TrainingStep.run(trainer, new NDList(x));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        trainer.close();
        model.close();
    }

}
