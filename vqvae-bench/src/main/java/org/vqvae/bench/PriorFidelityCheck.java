package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.vqvae.core.io.NamedArrays;
import org.vqvae.core.io.Npy;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.GatedPixelCnn;
import org.vqvae.prior.PixelCnnConfig;
import org.vqvae.prior.PixelSnail;
import org.vqvae.prior.PixelSnailConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Our priors beside exact PyTorch replicas ({@code vqvae-bench/python/prior_fidelity.py}): each
 * side starts from the same weights (saved by {@link NamedArrays} under our names) on the same
 * random code maps, labels and conditioning maps, and the check compares the step-1 logits, loss
 * and gradients and the losses along a few Adam steps with {@code PriorTrainer}'s loss and
 * optimiser.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.PriorFidelityCheck \
 *     [--variant NAME] [--steps 5] [--lr 1e-3] [--batch 4] [--seed 1] [--python /usr/bin/python3] \
 *     [--script vqvae-bench/python/prior_fidelity.py] [--verbose]
 * </pre>
 */
public final class PriorFidelityCheck {

    /** The Python with PyTorch that runs the replicas by default. */
    public static final String PYTHON = "/usr/bin/python3";

    /** The variants, on tiny maps: a Gated PixelCNN and the VQ-VAE-2 top and bottom PixelSNAILs. */
    public static final List<String> VARIANTS =
            List.of("pixelcnn", "pixelsnail-top", "pixelsnail-bottom", "pixelsnail-bottom-attention");

    private PriorFidelityCheck() {}

    /**
     * Builds a small, uninitialised prior of a variant. Maps are not square (so a swapped height
     * and width shows), the PixelCNN's kernel is 5 (two rows of padding to crop), the attention
     * chunk does not divide the positions.
     *
     * @param variant one of {@link #VARIANTS}
     * @return the prior
     */
    public static CodePrior variant(String variant) {
        return switch (variant) {
            case "pixelcnn" -> new GatedPixelCnn(new PixelCnnConfig(16, 3, 6, 8, 8, 3, 5, 0f));
            case "pixelsnail-top" -> new PixelSnail(PixelSnailConfig.defaults(16, 3, 6, 8).withSize(8, 2, 2)
                    .withAttention(2, 4, 6).withAttentionChunk(20));
            case "pixelsnail-bottom" -> new PixelSnail(PixelSnailConfig.defaults(16, 3, 8, 12).withSize(8, 2, 1)
                    .withAttention(0, 0, 0).conditionedOn(8, 4, 6));
            case "pixelsnail-bottom-attention" -> new PixelSnail(PixelSnailConfig.defaults(16, 3, 8, 12)
                    .withSize(8, 1, 2).withAttention(1, 4, 4).withAttentionChunk(40).conditionedOn(8, 4, 6));
            default -> throw new IllegalArgumentException("unknown variant " + variant + "; one of " + VARIANTS);
        };
    }

    /**
     * Runs one variant on both sides.
     *
     * @param variant one of {@link #VARIANTS}
     * @param options batch, seed, steps, learning rate, Python and script
     * @param dir an empty directory for the exchanged files
     * @return how far the sides part
     * @throws IOException if the replica fails or its files are unreadable
     * @throws InterruptedException if interrupted while it runs
     */
    public static PriorFidelity check(String variant, Options options, Path dir)
            throws IOException, InterruptedException {
        Engine.getInstance().setRandomSeed((int) options.seed());
        CodePrior prior = variant(variant);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            prior.initialize(m);
            NDList batch = batch(prior, options.batch(), options.seed(), m);
            Files.createDirectories(dir);
            NamedArrays.save(prior, dir.resolve("weights.npz"));
            Files.writeString(dir.resolve("config.json"), prior.configJson());
            String[] names = {"codes.npy", "labels.npy", "condition.npy"};
            for (int i = 0; i < batch.size(); i++) {
                Npy.write(dir.resolve(names[i]), batch.get(i));
            }
            runReplica(options, dir);
            PriorSide ours = PriorSide.ours(prior, batch, options.steps(), options.learningRate());
            PriorSide theirs = PriorSide.theirs(dir, m);
            return PriorFidelity.compare(variant, ours, theirs);
        }
    }

    /** Random codes, labels and (for a conditioned prior) codes of the level above. */
    private static NDList batch(CodePrior prior, int n, long seed, NDManager m) {
        Random r = new Random(seed);
        NDList batch = new NDList(
                m.create(random(r, n * prior.height() * prior.width(), prior.numCodes()),
                        new Shape(n, prior.height(), prior.width())),
                m.create(random(r, n, prior.numClasses())));
        if (prior.conditionCodes() > 0) {
            batch.add(m.create(random(r, n * prior.conditionHeight() * prior.conditionWidth(), prior.conditionCodes()),
                    new Shape(n, prior.conditionHeight(), prior.conditionWidth())));
        }
        return batch;
    }

    private static long[] random(Random r, int count, int bound) {
        long[] a = new long[count];
        for (int i = 0; i < count; i++) {
            a[i] = r.nextInt(bound);
        }
        return a;
    }

    private static void runReplica(Options o, Path dir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(o.python(), o.script().toString(), dir.toString(), "--steps",
                Integer.toString(o.steps()), "--lr", Float.toString(o.learningRate())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroy();
            throw new IOException(String.join(" ", cmd) + " failed:\n" + output);
        }
    }

    /**
     * Whether a Python can import PyTorch (and NumPy).
     *
     * @param python the interpreter
     * @return true when {@code python -c 'import torch, numpy'} succeeds
     */
    public static boolean hasTorch(String python) {
        if (!Files.isExecutable(Path.of(python))) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Finds the replica script from the repository root or from the {@code vqvae-bench} module.
     *
     * @return its path
     */
    public static Path defaultScript() {
        for (String s : List.of("vqvae-bench/python/prior_fidelity.py", "python/prior_fidelity.py")) {
            if (Files.isRegularFile(Path.of(s))) {
                return Path.of(s);
            }
        }
        return Path.of("vqvae-bench/python/prior_fidelity.py");
    }

    /**
     * How the check runs.
     *
     * @param batch maps in the batch
     * @param seed seeds the weights and the maps
     * @param steps Adam steps after the first forward pass
     * @param learningRate Adam's step size
     * @param python interpreter with PyTorch
     * @param script {@code prior_fidelity.py}
     */
    public record Options(int batch, long seed, int steps, float learningRate, String python, Path script) {

        /** Batch 4, seed 1, 5 steps of 1e-3, {@link #PYTHON}, {@link #defaultScript()}. */
        public static Options defaults() {
            return new Options(4, 1, 5, 1e-3f, PYTHON, defaultScript());
        }
    }

    /**
     * Runs the check and prints the figures.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Options d = Options.defaults();
        int batch = d.batch();
        long seed = d.seed();
        int steps = d.steps();
        float lr = d.learningRate();
        String python = d.python();
        Path script = d.script();
        List<String> variants = VARIANTS;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--verbose")) {
                verbose = true;
                continue;
            }
            String v = args[i + 1];
            switch (args[i++]) {
                case "--variant" -> variants = List.of(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--lr" -> lr = Float.parseFloat(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--python" -> python = v;
                case "--script" -> script = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i - 1]);
            }
        }
        Options o = new Options(batch, seed, steps, lr, python, script);
        System.setProperty("ai.djl.offline", "true");
        if (!hasTorch(o.python())) {
            System.err.println(o.python() + " cannot import torch and numpy: install PyTorch for it, or pass --python");
            System.exit(2);
        }
        Path root = Files.createTempDirectory("prior-fidelity-");
        for (String v : variants) {
            System.out.print(check(v, o, root.resolve(v)).report(verbose));
        }
    }
}
