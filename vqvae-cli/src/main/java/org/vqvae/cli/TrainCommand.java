package org.vqvae.cli;

import ai.djl.Device;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vqvae train}: trains a VQ-VAE and writes checkpoint, metrics, summary and pictures. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a VQ-VAE. Writes DIR/checkpoint-<step>/ (DIR/checkpoint links to the newest),"
                + " DIR/metrics.jsonl, DIR/summary.json and DIR/reconstructions.png.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "embedded",
            description = "embedded (MNIST test set in the jar: 9,000 train / 1,000 held out), coloured-digits,"
                    + " mnist:DIR or fashion-mnist:DIR (IDX files, raw or .gz), cifar10:DIR, folder:DIR (one"
                    + " sub-folder per class, every tenth image held out), shards:DIR (from 'vqvae prepare') or"
                    + " npy:FILE (uint8 [N, H, W, C] or [N, H, W], labels from FILE_labels.npy, every tenth held out)."
                    + " Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--val-data", paramLabel = "SPEC",
            description = "Held-out images to evaluate on instead of the data's own split, e.g. ImageNet's validation"
                    + " set as folder:DIR (class sub-folders named as in the training data).")
    String valData;

    @Option(names = "--eval-images", paramLabel = "N",
            description = "Evaluate on at most N held-out images, evenly spaced through the set (default: all).")
    Integer evalImages;

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
            description = "Evaluate and log every N steps, and checkpoint unless --checkpoint-every says otherwise"
                    + " (default ${DEFAULT-VALUE}).")
    long evalEvery;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/vqvae", description = "Run directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in DIR if there is one.")
    boolean resume;

    @Mixin LongRunOptions longRun;
    @Mixin ImageOptions images;
    @Mixin ModelOptions model;
    @Mixin EngineOptions engine;
    @Mixin DeviceListOptions devices;

    @Override
    public Integer call() throws Exception {
        List<Device> parts = devices.start(engine);
        int size = images.imageSize != null ? images.imageSize : 256;
        DataSpec spec = DataSpec.parse(data).withImages(size, images.strict);
        DataSpec.Splits<ImageSource> splits = valData == null ? spec.open()
                : spec.open(DataSpec.parse(valData).withImages(size, images.strict).withChannels(spec.channels()));
        long steps = length == null || (length.steps == null && length.epochs == null) ? 2000
                : length.steps != null ? length.steps
                : (long) Math.ceil(length.epochs * splits.train().size() / batch);
        CodeModel built = model.hierarchical() ? new VqVae2(model.config2(splits.train())) : new VqVae(model.config(splits.train()));
        if (resume && Checkpoint.exists(out)) {
            String saved = Checkpoint.readConfigJson(out);
            if (model.anySet() && !saved.equals(built.configJson())) {
                throw new IllegalArgumentException("--resume: the checkpoint in " + out
                        + " was trained with other model flags; drop them or use a new --out");
            }
            if (!model.anySet()) {
                built = VqVae2Config.isVqVae2(saved) ? new VqVae2(VqVae2Config.fromJson(saved))
                        : new VqVae(VqVaeConfig.fromJson(saved));
            }
            if (!built.inputShape(1).equals(new ai.djl.ndarray.types.Shape(1, splits.train().channels(),
                    splits.train().height(), splits.train().width()))) {
                throw new IllegalArgumentException("--resume: the checkpoint in " + out + " was trained on images of "
                        + built.inputShape(1) + ", this data has another size");
            }
        }
        TrainingOptions options = longRun.applyTo(new TrainingOptions(steps, batch, learningRate, seed, evalEvery, out,
                resume).withData(images.workers(), evalImages != null ? evalImages : TrainingOptions.ALL_IMAGES));
        TrainingSummary s = run(built, options, splits, spec.toString(), parts, System.out);
        return s == null ? 1 : 0;
    }

    static TrainingSummary run(CodeModel model, TrainingOptions options, DataSpec.Splits<? extends ImageSource> splits,
            String name,
            Device device, PrintStream out) throws Exception {
        return run(model, options, splits, name, List.of(device), out);
    }

    static TrainingSummary run(CodeModel model, TrainingOptions options, DataSpec.Splits<? extends ImageSource> splits,
            String name, List<Device> devices, PrintStream out) throws Exception {
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed((int) options.seed());
        ImageSource t = splits.train();
        out.printf(Locale.ROOT, "training %s on %s (%d train / %d held-out images, %dx%dx%d), %d steps of %d, %s%n",
                model.levels() == 1 ? "VQ-VAE K=" + model.numCodes(0) : "VQ-VAE-2 with " + model.levels() + " levels",
                name, t.size(), Math.min(options.evalImages(), splits.test().size()), t.channels(), t.height(), t.width(), options.steps(),
                options.batchSize(), model.ema() ? "EMA codebooks" : "codebook loss");
        TrainingSummary s = new VqVaeTrainer(model, options, out).train(splits, name, devices);
        out.printf(Locale.ROOT, "held-out: mse %.5f (mean-image baseline %.5f), psnr %.2f dB, perplexity %.1f,"
                        + " codebook usage %.1f%%; %.1f ms/step%n",
                s.testMse(), s.meanImageMse(), s.testPsnr(), s.perplexity(), 100 * s.codebookUsage(), s.msPerStep());
        for (int l = 0; model.levels() > 1 && l < model.levels(); l++) {
            out.printf(Locale.ROOT, "  %s codes: perplexity %.1f, usage %.1f%%%n", model.levelName(l), s.levelPerplexity()[l],
                    100 * s.levelUsage()[l]);
        }
        out.println("wrote " + Checkpoint.locate(options.outDir()) + ", metrics.jsonl, summary.json, reconstructions.png");
        return s;
    }
}
