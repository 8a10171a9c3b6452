package org.vqvae.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import org.vqvae.core.io.AtomicFiles;
import org.vqvae.prior.CodeExtraction;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.CodeSet;
import org.vqvae.prior.GatedPixelCnn;
import org.vqvae.prior.PixelCnnConfig;
import org.vqvae.prior.PixelSnail;
import org.vqvae.prior.PixelSnailConfig;
import org.vqvae.prior.PriorTrainer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vqvae train-prior}: a class-conditional Gated PixelCNN over extracted code maps. */
@Command(name = "train-prior", mixinStandardHelpOptions = true,
        description = "Train a Gated PixelCNN or PixelSNAIL prior on code maps from extract-codes. Writes DIR/checkpoint/,"
                + " DIR/metrics.jsonl and DIR/summary.json (test_bits_per_code, bits_per_dim).")
final class TrainPriorCommand implements Callable<Integer> {

    @Option(names = "--codes", paramLabel = "DIR", required = true, description = "Directory written by extract-codes.")
    Path codes;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "2000", description = "Steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "128", description = "Batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-3", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--arch", paramLabel = "pixelcnn|pixelsnail", defaultValue = "pixelcnn",
            description = "Prior architecture (default ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--channels", paramLabel = "C", defaultValue = "64", description = "Stack width (default ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "12", description = "PixelCNN gated layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--blocks", paramLabel = "N", defaultValue = "2",
            description = "PixelSNAIL blocks of (2 gated layers, causal attention) (default ${DEFAULT-VALUE}).")
    int blocks;

    @Option(names = "--kernel", paramLabel = "K", defaultValue = "3", description = "Odd kernel size (default ${DEFAULT-VALUE}).")
    int kernel;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0", description = "Dropout (default ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "500", description = "Evaluate every N steps.")
    long evalEvery;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/prior", description = "Run directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Device device = engine.start();
        JsonObject meta = readMeta(codes);
        try (NDManager manager = NDManager.newBaseManager()) {
            CodeSet train = CodeSet.read(codes, "train", manager);
            CodeSet test = CodeSet.read(codes, "test", manager);
            int k = meta.get("num_codes").getAsInt();
            int classes = meta.get("num_classes").getAsInt();
            CodePrior prior = switch (arch) {
                case "pixelcnn" -> new GatedPixelCnn(new PixelCnnConfig(k, classes, train.height(), train.width(),
                        channels, layers, kernel, dropout));
                case "pixelsnail" -> new PixelSnail(PixelSnailConfig.defaults(k, classes, train.height(), train.width())
                        .withSize(channels, blocks, 2).withKernel(kernel, dropout));
                default -> throw new IllegalArgumentException("--arch must be pixelcnn or pixelsnail, got " + arch);
            };
            run(prior, train, test, meta, steps, batch, learningRate, seed, evalEvery, out, device, System.out);
        }
        return 0;
    }

    static JsonObject readMeta(Path codes) throws IOException {
        Path metaFile = codes.resolve("meta.json");
        if (!Files.isRegularFile(metaFile)) {
            throw new NoSuchFileException(metaFile.toString(), null, "no meta.json: not a directory written by extract-codes");
        }
        try {
            JsonObject meta = JsonUtils.GSON.fromJson(Files.readString(metaFile), JsonObject.class);
            for (String key : new String[] {"num_codes", "num_classes", "height", "width"}) {
                if (meta == null || !meta.has(key)) {
                    throw new IOException(metaFile + " lacks " + key);
                }
            }
            return meta;
        } catch (JsonParseException e) {
            throw new IOException(metaFile + " is malformed: " + e.getMessage(), e);
        }
    }

    static CodePrior run(CodePrior prior, CodeSet train, CodeSet test, JsonObject meta, long steps, int batch,
            float lr, long seed, long evalEvery, Path out, Device device, PrintStream log) throws IOException {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        log.printf(Locale.ROOT, "training %s on %d code maps of %dx%d, K=%d, %d classes%n",
                prior instanceof PixelSnail ? "PixelSNAIL" : "Gated PixelCNN", train.count(), prior.height(),
                prior.width(), prior.numCodes(), prior.numClasses());
        PriorTrainer.Result r = new PriorTrainer(prior, steps, batch, lr, seed, evalEvery, out, log)
                .train(train, test, device);
        JsonObject s = new JsonObject();
        s.addProperty("steps", r.steps());
        s.addProperty("batch", batch);
        s.addProperty("ms_per_step", Math.round(r.msPerStep() * 100) / 100.0);
        s.addProperty("train_bits_per_code", r.trainBitsPerCode());
        s.addProperty("test_bits_per_code", r.testBitsPerCode());
        if (meta.has("test_mse") && meta.has("image_dims")) {
            double bpd = CodeExtraction.bitsPerDim(r.testBitsPerCode(), prior.height() * prior.width(),
                    meta.get("image_dims").getAsInt(), meta.get("test_mse").getAsDouble());
            s.addProperty("bits_per_dim", bpd);
            s.addProperty("bits_per_dim_formula",
                    "(h*w*test_bits_per_code + C*H*W*(log2(2*pi*e*test_mse)/2 + log2(255))) / (C*H*W)");
        }
        AtomicFiles.writeString(out.resolve("summary.json"), JsonUtils.GSON_PRETTY.toJson(s) + "\n");
        log.printf(Locale.ROOT, "prior held-out: %.4f bits/code%s; %.1f ms/step; wrote %s%n", r.testBitsPerCode(),
                s.has("bits_per_dim") ? String.format(Locale.ROOT, ", %.3f bits/dim (whole model)", s.get("bits_per_dim").getAsDouble()) : "",
                r.msPerStep(), out.resolve("checkpoint"));
        return prior;
    }
}
