package org.vqvae.cli;

import ai.djl.Device;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.TrainingOptions;
import org.vqvae.core.train.TrainingSummary;
import org.vqvae.core.train.VqVaeTrainer;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vqvae train}: trains a VQ-VAE and writes checkpoint, metrics, summary and pictures. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a VQ-VAE. Writes DIR/checkpoint/, DIR/metrics.jsonl, DIR/summary.json and"
                + " DIR/reconstructions.png.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "embedded",
            description = "embedded (MNIST test set in the jar: 9,000 train / 1,000 held out), mnist:DIR or"
                    + " fashion-mnist:DIR (IDX files, raw or .gz). Default: ${DEFAULT-VALUE}.")
    String data;

    @ArgGroup(exclusive = true)
    Length length;

    static final class Length {
        @Option(names = "--steps", paramLabel = "N", description = "Optimisation steps (default 2000).")
        Long steps;

        @Option(names = "--epochs", paramLabel = "E", description = "Passes over the training images.")
        Double epochs;
    }

    @Option(names = "--batch", paramLabel = "B", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "2e-4", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "500",
            description = "Evaluate, log and checkpoint every N steps (default ${DEFAULT-VALUE}).")
    long evalEvery;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/vqvae", description = "Run directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Continue from DIR/checkpoint if it exists.")
    boolean resume;

    @Mixin ModelOptions model;
    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Device device = engine.start();
        DataSpec spec = DataSpec.parse(data);
        DataSpec.Splits splits = spec.load();
        long steps = length == null || (length.steps == null && length.epochs == null) ? 2000
                : length.steps != null ? length.steps
                : (long) Math.ceil(length.epochs * splits.train().count() / batch);
        VqVaeConfig config = model.config(splits.train());
        if (resume && Checkpoint.exists(out)) {
            VqVaeConfig saved = Checkpoint.readConfig(out);
            if (model.anySet() && !saved.equals(config)) {
                throw new IllegalArgumentException("--resume: the checkpoint in " + out
                        + " was trained with other model flags; drop them or use a new --out");
            }
            if (saved.imageChannels() != config.imageChannels() || saved.imageHeight() != config.imageHeight()
                    || saved.imageWidth() != config.imageWidth()) {
                throw new IllegalArgumentException("--resume: the checkpoint in " + out + " was trained on "
                        + saved.imageHeight() + "x" + saved.imageWidth() + " images, this data is "
                        + config.imageHeight() + "x" + config.imageWidth());
            }
            config = saved;
        }
        TrainingOptions options = new TrainingOptions(steps, batch, learningRate, seed, evalEvery, out, resume);
        TrainingSummary s = run(config, options, splits, spec.toString(), device, System.out);
        return s == null ? 1 : 0;
    }

    static TrainingSummary run(VqVaeConfig config, TrainingOptions options, DataSpec.Splits splits, String name,
            Device device, PrintStream out) throws Exception {
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed((int) options.seed());
        out.printf(Locale.ROOT, "training VQ-VAE K=%d D=%d on %s (%d train / %d held-out images, %dx%d), %d steps of %d, %s%n",
                config.numCodes(), config.codeDim(), name, splits.train().count(), splits.test().count(),
                config.imageHeight(), config.imageWidth(), options.steps(), options.batchSize(),
                config.ema() ? "EMA codebook" : "codebook loss");
        VqVae vqvae = new VqVae(config);
        TrainingSummary s = new VqVaeTrainer(vqvae, options, out).train(splits, name, device);
        out.printf(Locale.ROOT, "held-out: mse %.5f (mean-image baseline %.5f), psnr %.2f dB, perplexity %.1f,"
                        + " codebook usage %.1f%%; %.1f ms/step%n",
                s.testMse(), s.meanImageMse(), s.testPsnr(), s.perplexity(), 100 * s.codebookUsage(), s.msPerStep());
        out.println("wrote " + options.outDir().resolve("checkpoint") + ", metrics.jsonl, summary.json, reconstructions.png");
        return s;
    }
}
