package org.vqvae.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.TrainingOptions;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code vqvae train-prior}: a class-conditional Gated PixelCNN or PixelSNAIL over extracted code
 * maps; for a VQ-VAE-2 level below the top, also conditioned on the codes of the level above.
 */
@Command(name = "train-prior", mixinStandardHelpOptions = true,
        description = "Train a Gated PixelCNN or PixelSNAIL prior on code maps from extract-codes. Writes"
                + " DIR/checkpoint-<step>/ (DIR/checkpoint links to the newest), DIR/metrics.jsonl and DIR/summary.json (test_bits_per_code, bits_per_dim). For VQ-VAE-2 codes,"
                + " --level top trains the class-conditional top prior and --level bottom a prior conditioned on the"
                + " top codes too.")
final class TrainPriorCommand implements Callable<Integer> {

    @Option(names = "--codes", paramLabel = "DIR", required = true, description = "Directory written by extract-codes.")
    Path codes;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "2000", description = "Steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "128", description = "Batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-3", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--level", paramLabel = "NAME",
            description = "VQ-VAE-2 level to model: top, bottom (middle for 3 levels); each level below the top is "
                    + "conditioned on the one above.")
    String level;

    @Option(names = "--arch", paramLabel = "pixelcnn|pixelsnail",
            description = "Prior architecture (default: pixelcnn for VQ-VAE codes, pixelsnail for VQ-VAE-2 levels).")
    String arch;

    @Option(names = "--heads", paramLabel = "N",
            description = "PixelSNAIL attention heads, 0 for none (default: 2 for the top level, 0 below it, as in "
                    + "VQ-VAE-2).")
    Integer heads;

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

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "500",
            description = "Evaluate and log every N steps, and checkpoint unless --checkpoint-every says otherwise"
                    + " (default ${DEFAULT-VALUE}).")
    long evalEvery;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/prior", description = "Run directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in DIR if there is one (same flags).")
    boolean resume;

    @Mixin LongRunOptions longRun;

    @Mixin EngineOptions engine;
    @Mixin DeviceListOptions devices;

    @Override
    public Integer call() throws Exception {
        List<Device> parts = devices.start(engine);
        JsonObject meta = readMeta(codes);
        CodeSet[] train = new CodeSet[1];
        CodeSet[] test = new CodeSet[1];
        JsonObject levelMeta = readLevel(meta, train, test);
        int k = levelMeta.get("num_codes").getAsInt();
        int classes = meta.get("num_classes").getAsInt();
        boolean conditioned = train[0].condition() != null;
        String a = arch != null ? arch : level != null ? "pixelsnail" : "pixelcnn";
        CodePrior prior = switch (a) {
            case "pixelcnn" -> {
                if (conditioned) {
                    throw new IllegalArgumentException("the " + level + " level is conditioned on the level above:"
                            + " use --arch pixelsnail");
                }
                yield new GatedPixelCnn(new PixelCnnConfig(k, classes, train[0].height(), train[0].width(),
                        channels, layers, kernel, dropout));
            }
            case "pixelsnail" -> {
                int h = heads != null ? heads : conditioned ? 0 : 2;
                PixelSnailConfig c = PixelSnailConfig.defaults(k, classes, train[0].height(), train[0].width())
                        .withSize(channels, blocks, 2).withKernel(kernel, dropout).withAttention(h, 16, 32);
                if (conditioned) {
                    c = c.conditionedOn(meta.get("condition_num_codes").getAsInt(), train[0].conditionHeight(),
                            train[0].conditionWidth());
                }
                yield new PixelSnail(c);
            }
            default -> throw new IllegalArgumentException("--arch must be pixelcnn or pixelsnail, got " + a);
        };
        TrainingOptions options = longRun.applyTo(new TrainingOptions(steps, batch, learningRate, seed, evalEvery, out,
                resume, 0, TrainingOptions.ALL_IMAGES));
        run(prior, train[0], test[0], meta, options, parts, System.out);
        return 0;
    }

    /**
     * Opens the level's train and test maps, memory-mapped (conditioned on the level above, if any).
     *
     * @return the level's meta data (num_codes, height, width)
     */
    private JsonObject readLevel(JsonObject meta, CodeSet[] train, CodeSet[] test) throws IOException {
        if (!meta.has("levels")) {
            if (level != null) {
                throw new IllegalArgumentException(codes + " holds the codes of a one-level VQ-VAE: drop --level");
            }
            train[0] = CodeSet.read(codes, "train");
            test[0] = CodeSet.read(codes, "test");
            return meta;
        }
        java.util.List<String> names = new java.util.ArrayList<>();
        meta.getAsJsonArray("levels").forEach(e -> names.add(e.getAsString()));
        int l = level == null ? -1 : names.indexOf(level);
        if (l < 0) {
            throw new IllegalArgumentException(codes + " holds VQ-VAE-2 levels " + String.join(", ", names)
                    + ": pass --level with one of them");
        }
        train[0] = CodeSet.read(codes, "train", level);
        test[0] = CodeSet.read(codes, "test", level);
        if (l + 1 < names.size()) {
            String above = names.get(l + 1);
            train[0] = train[0].conditionedOn(CodeSet.read(codes, "train", above));
            test[0] = test[0].conditionedOn(CodeSet.read(codes, "test", above));
            meta.addProperty("condition_num_codes", meta.getAsJsonObject("level_" + above).get("num_codes").getAsInt());
        }
        return meta.getAsJsonObject("level_" + level);
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
        return run(prior, train, test, meta, new TrainingOptions(steps, batch, lr, seed, evalEvery, out, false, 0,
                TrainingOptions.ALL_IMAGES), List.of(device), log);
    }

    static CodePrior run(CodePrior prior, CodeSet train, CodeSet test, JsonObject meta, TrainingOptions options,
            List<Device> devices, PrintStream log) throws IOException {
        Engine.getEngine("PyTorch").setRandomSeed((int) options.seed());
        Path out = options.outDir();
        int batch = options.batchSize();
        log.printf(Locale.ROOT, "training %s on %d code maps of %dx%d, K=%d, %d classes%n",
                prior instanceof PixelSnail ? "PixelSNAIL" : "Gated PixelCNN", train.count(), prior.height(),
                prior.width(), prior.numCodes(), prior.numClasses());
        PriorTrainer.Result r = new PriorTrainer(prior, options, log).train(train, test, devices);
        JsonObject s = new JsonObject();
        s.addProperty("steps", r.steps());
        s.addProperty("batch", batch);
        s.addProperty("ms_per_step", Math.round(r.msPerStep() * 100) / 100.0);
        s.addProperty("train_bits_per_code", r.trainBitsPerCode());
        s.addProperty("test_bits_per_code", r.testBitsPerCode());
        if (meta.has("levels")) {
            // one level of a VQ-VAE-2: its share of the image's code length; bits/dim of the whole model
            // adds every level's share and the reconstruction term (README)
            s.addProperty("bits_per_image", r.testBitsPerCode() * prior.height() * prior.width());
            s.addProperty("conditioned_on_level_above", prior.conditionCodes() > 0);
        } else if (meta.has("test_mse") && meta.has("image_dims")) {
            double bpd = CodeExtraction.bitsPerDim(r.testBitsPerCode(), prior.height() * prior.width(),
                    meta.get("image_dims").getAsInt(), meta.get("test_mse").getAsDouble());
            s.addProperty("bits_per_dim", bpd);
            s.addProperty("bits_per_dim_formula",
                    "(h*w*test_bits_per_code + C*H*W*(log2(2*pi*e*test_mse)/2 + log2(255))) / (C*H*W)");
        }
        AtomicFiles.writeString(out.resolve("summary.json"), JsonUtils.GSON_PRETTY.toJson(s) + "\n");
        log.printf(Locale.ROOT, "prior held-out: %.4f bits/code%s; %.1f ms/step; wrote %s%n", r.testBitsPerCode(),
                s.has("bits_per_dim") ? String.format(Locale.ROOT, ", %.3f bits/dim (whole model)", s.get("bits_per_dim").getAsDouble()) : "",
                r.msPerStep(), Checkpoint.locate(out));
        return prior;
    }
}
