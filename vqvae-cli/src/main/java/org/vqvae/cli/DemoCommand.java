package org.vqvae.cli;

import ai.djl.Device;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.TrainingOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import ai.djl.ndarray.NDManager;

import com.google.gson.JsonObject;

import org.vqvae.core.model.VqVae;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.TrainingSummary;
import org.vqvae.prior.CodeExtraction;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.CodeSet;
import org.vqvae.prior.GatedPixelCnn;
import org.vqvae.prior.HierarchicalSampler;
import org.vqvae.prior.PixelCnnConfig;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vqvae demo}: trains the paper's model on the embedded MNIST sample, offline, in minutes. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train the paper's VQ-VAE on the embedded MNIST sample (DIR/reconstructions.png), then a"
                + " Gated PixelCNN prior on its codes (DIR/samples.png, a row per digit); minutes on a 2-core CPU.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo", description = "Run directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "500", description = "Training steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--prior-steps", paramLabel = "N", defaultValue = "500",
            description = "Prior training steps (default ${DEFAULT-VALUE}; 0 skips the prior and samples).")
    long priorSteps;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Device device = engine.start();
        DataSpec spec = DataSpec.parse("embedded");
        DataSpec.Splits splits = spec.load();
        VqVaeConfig config = VqVaeConfig.defaults(1, 28, 28);
        TrainingOptions options = new TrainingOptions(steps, 128, 2e-4f, seed, Math.max(1, steps / 4), out, false);
        TrainingSummary s = TrainCommand.run(new org.vqvae.core.model.VqVae(config), options, splits, spec.toString(), device, System.out);
        if (priorSteps == 0) {
            return 0;
        }
        // second half: a class-conditional prior over the demo's codes, then one row of samples per digit
        try (NDManager manager = NDManager.newBaseManager()) {
            VqVae model = Checkpoint.load(out, manager);
            CodeSet train = CodeExtraction.encode(model, splits.train(), manager);
            CodeSet test = CodeExtraction.encode(model, splits.test(), manager);
            JsonObject meta = new JsonObject();
            meta.addProperty("test_mse", s.testMse());
            meta.addProperty("image_dims", 28 * 28);
            PixelCnnConfig priorConfig = PixelCnnConfig.defaults(config.numCodes(), 10, config.codeHeight(),
                    config.codeWidth()).withSize(64, 8, 3);
            CodePrior prior = TrainPriorCommand.run(new GatedPixelCnn(priorConfig), train, test, meta, priorSteps, 64, 1e-3f, seed,
                    Math.max(1, priorSteps / 2), out.resolve("prior"), device, System.out);
            Path samples = out.resolve("samples.png");
            SampleCommand.write(model, new HierarchicalSampler(java.util.List.of(prior), new float[] {1f}, new int[] {0}, true),
                    prior.numClasses(), null, 80, seed, samples, manager);
            System.out.println("wrote " + samples + ": one row of samples per digit 0-9");
        }
        return 0;
    }
}
