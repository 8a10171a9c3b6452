package org.vqvae.cli;

import ai.djl.Device;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.TrainingOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vqvae demo}: trains the paper's model on the embedded MNIST sample, offline, in minutes. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train the paper's VQ-VAE on the embedded MNIST sample and write DIR/reconstructions.png"
                + " (a few minutes on a 2-core CPU).")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo", description = "Run directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "500", description = "Training steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Device device = engine.start();
        DataSpec spec = DataSpec.parse("embedded");
        DataSpec.Splits splits = spec.load();
        VqVaeConfig config = VqVaeConfig.defaults(1, 28, 28);
        TrainingOptions options = new TrainingOptions(steps, 128, 2e-4f, seed, Math.max(1, steps / 4), out, false);
        TrainCommand.run(config, options, splits, spec.toString(), device, System.out);
        return 0;
    }
}
