package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.vqvae.core.train.CheckpointableAdam;
import org.vqvae.core.train.TrainingStep;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.GatedPixelCnn;

/** One training step (forward, cross-entropy, backward, Adam) of a prior on random code maps. */
public class PriorStepBenchmark extends DeviceBenchmark {

    @Param({"pixelcnn-8:128", "pixelsnail-32:16"})
    String prior;

    private Model model;
    private Trainer trainer;
    private NDArray codes;
    private NDArray labels;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.getEngine("PyTorch").setRandomSeed(0);
        String[] parts = prior.split(":");
        int batch = Integer.parseInt(parts[1]);
        Device d = BenchDevices.of(device);
        CodePrior p = BenchModels.prior(parts[0]);
        model = Model.newInstance("prior", d);
        model.setBlock(p);
        p.initialize(model.getNDManager());
        Loss nll = new Loss("nll") {
            @Override
            public NDArray evaluate(NDList target, NDList predictions) {
                return GatedPixelCnn.nll(predictions.head(), target.head());
            }
        };
        trainer = model.newTrainer(new DefaultTrainingConfig(nll).optOptimizer(new CheckpointableAdam(1e-3f))
                .optDevices(new Device[] {d}));
        NDManager m = model.getNDManager();
        codes = m.randomInteger(0, p.numCodes(), new Shape(batch, p.height(), p.width()), DataType.INT64);
        labels = m.randomInteger(0, p.numClasses(), new Shape(batch), DataType.INT64);
    }

    @Benchmark
    public float step() {
        try (NDManager step = model.getNDManager().newSubManager()) {
            codes.tempAttach(step);
            labels.tempAttach(step);
            return TrainingStep.run(trainer, new NDList(codes, labels));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        trainer.close();
        model.close();
    }
}
