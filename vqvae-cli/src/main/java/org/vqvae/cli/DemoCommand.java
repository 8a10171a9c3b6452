package org.vqvae.cli;

import ai.djl.Device;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.TrainingOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import ai.djl.ndarray.NDManager;

import com.google.gson.JsonObject;

import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.TrainingSummary;
import org.vqvae.prior.CodeExtraction;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.CodeSet;
import org.vqvae.prior.GatedPixelCnn;
import org.vqvae.prior.HierarchicalSampler;
import org.vqvae.prior.PixelCnnConfig;
import org.vqvae.prior.PixelSnail;
import org.vqvae.prior.PixelSnailConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vqvae demo}: trains the paper's model on the embedded MNIST sample, then a prior, offline,
 * in minutes; with {@code --vqvae2}, the hierarchical pipeline on colour digits.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train the paper's VQ-VAE on the embedded MNIST sample (DIR/reconstructions.png), then a"
                + " Gated PixelCNN prior on its codes (DIR/samples.png, a row per digit); minutes on a 2-core CPU."
                + " With --vqvae2: a 2-level VQ-VAE-2 on 32x32 colour digits, a PixelSNAIL top prior and a bottom"
                + " prior conditioned on the top codes, then samples drawn top-down.")
final class DemoCommand implements Callable<Integer> {

    /**
     * Codes per level of the VQ-VAE-2 demo: with dead-code restarts all of a level's codes stay in use,
     * and 512 of them (at 8x8 and 4x4, on 9,000 images) left the priors too uncertain to draw
     * recognisable digits in a few minutes (bottom prior 3.16 bits/code after 500 steps, against 2.02
     * with 64 codes, at the same reconstruction error).
     */
    static final int DEMO_VQVAE2_CODES = 64;
    /** Training steps of the VQ-VAE-2 demo. */
    static final long DEMO_VQVAE2_STEPS = 800;
    /** Steps of each prior of the VQ-VAE-2 demo. */
    static final long DEMO_VQVAE2_PRIOR_STEPS = 1000;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo", description = "Run directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--steps", paramLabel = "N",
            description = "Training steps (default 500; " + DEMO_VQVAE2_STEPS + " with --vqvae2).")
    Long steps;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--prior-steps", paramLabel = "N",
            description = "Prior training steps (default 500; " + DEMO_VQVAE2_PRIOR_STEPS + " per level with --vqvae2;"
                    + " 0 skips the prior and samples).")
    Long priorSteps;

    @Option(names = "--vqvae2", description = "Run the hierarchical VQ-VAE-2 pipeline on coloured digits instead.")
    boolean vqvae2;

    @Option(names = "--codes", paramLabel = "K",
            description = "Codes per codebook (default: 512 for the VQ-VAE, " + DEMO_VQVAE2_CODES + " per level with --vqvae2).")
    Integer codes;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Device device = engine.start();
        if (steps == null) {
            steps = vqvae2 ? DEMO_VQVAE2_STEPS : 500;
        }
        if (priorSteps == null) {
            priorSteps = vqvae2 ? DEMO_VQVAE2_PRIOR_STEPS : 500;
        }
        if (steps < 1 || priorSteps < 0 || (codes != null && codes < 2)) {
            throw new IllegalArgumentException("--steps must be >= 1, --prior-steps >= 0 and --codes >= 2");
        }
        if (vqvae2) {
            return hierarchical(device);
        }
        DataSpec spec = DataSpec.parse("embedded");
        DataSpec.Splits<ImageSet> splits = spec.load();
        VqVaeConfig config = VqVaeConfig.defaults(1, 28, 28);
        if (codes != null) {
            config = config.withCodebook(codes, config.codeDim());
        }
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
            SampleCommand.write(model, new HierarchicalSampler(List.of(prior), new float[] {1f}, new int[] {0}, true),
                    prior.numClasses(), null, 80, seed, samples, manager);
            System.out.println("wrote " + samples + ": one row of samples per digit 0-9");
        }
        return 0;
    }

    /** VQ-VAE-2 on coloured digits, a prior per level, samples top-down. */
    private int hierarchical(Device device) throws Exception {
        DataSpec spec = DataSpec.parse("coloured-digits");
        DataSpec.Splits<ImageSet> splits = spec.load();
        VqVae2Config base = VqVae2Config.defaults(3, 32, 32, 2);
        VqVae2Config config = base.withSizes(base.hiddenChannels(), base.residualChannels(), base.residualBlocks(),
                codes != null ? codes : DEMO_VQVAE2_CODES, base.codeDims().get(0));
        TrainingOptions options = new TrainingOptions(steps, 64, 2e-4f, seed, Math.max(1, steps / 4), out, false);
        TrainingSummary s = TrainCommand.run(new VqVae2(config), options, splits, spec.toString(), device, System.out);
        if (priorSteps == 0) {
            return 0;
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            CodeModel model = Checkpoint.loadAny(out, manager);
            CodeSet[] train = CodeExtraction.encodeLevels(model, splits.train(), manager);
            CodeSet[] test = CodeExtraction.encodeLevels(model, splits.test(), manager);
            JsonObject meta = new JsonObject();
            meta.add("levels", new com.google.gson.JsonArray()); // summaries as for VQ-VAE-2 levels: bits_per_image
            // the top prior first: class-conditional PixelSNAIL with attention over the 4x4 top map
            PixelSnailConfig top = PixelSnailConfig.defaults(model.numCodes(1), 10, train[1].height(), train[1].width());
            CodePrior topPrior = TrainPriorCommand.run(new PixelSnail(top), train[1], test[1], meta, priorSteps, 64,
                    1e-3f, seed, Math.max(1, priorSteps / 2), out.resolve("prior-top"), device, System.out);
            // the bottom prior: 8x8 codes given the top codes, no attention (as in the paper's bottom prior)
            PixelSnailConfig bottom = PixelSnailConfig.defaults(model.numCodes(0), 10, train[0].height(),
                    train[0].width()).withSize(64, 3, 2).withAttention(0, 0, 0)
                    .conditionedOn(model.numCodes(1), train[1].height(), train[1].width());
            CodePrior bottomPrior = TrainPriorCommand.run(new PixelSnail(bottom), train[0].conditionedOn(train[1]),
                    test[0].conditionedOn(test[1]), meta, priorSteps, 64, 1e-3f, seed, Math.max(1, priorSteps / 2),
                    out.resolve("prior-bottom"), device, System.out);
            List<CodePrior> priors = List.of(bottomPrior, topPrior);
            Path samples = out.resolve("samples.png");
            SampleCommand.write(model, new HierarchicalSampler(priors, new float[] {1f, 1f}, new int[] {0, 0}, true), 10,
                    null, 80, seed, samples, manager);
            System.out.printf("held-out MSE %.4f; wrote %s: one row of samples per digit 0-9, top codes then bottom"
                    + " codes given the top%n", s.testMse(), samples);
        }
        return 0;
    }
}