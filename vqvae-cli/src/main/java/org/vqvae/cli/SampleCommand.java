package org.vqvae.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.vqvae.core.io.ImageGrid;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.Priors;
import org.vqvae.prior.PriorSampler;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vqvae sample}: new images from the prior, decoded by the VQ-VAE. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample code maps from a prior and decode them to a PNG grid (one row per class without --class).")
final class SampleCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "VQ-VAE run directory.")
    Path modelDir;

    @Option(names = "--prior", paramLabel = "DIR", required = true, description = "Prior run directory.")
    Path priorDir;

    @Option(names = "--class", paramLabel = "C", description = "Class to sample (default: every class, a row each).")
    Integer cls;

    @Option(names = "-n", paramLabel = "N", defaultValue = "64", description = "Images (default ${DEFAULT-VALUE}); per class without --class: N / classes.")
    int count;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1", description = "Softmax temperature (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Sample among the K likeliest codes (0 = all).")
    int topK;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--naive", description = "Recompute the whole map for every position (slow; for comparison).")
    boolean naive;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Output PNG.")
    Path out;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        engine.start();
        if (count < 1) {
            throw new IllegalArgumentException("-n must be >= 1, got " + count);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            VqVae model = Checkpoint.load(modelDir, manager);
            CodePrior prior = Priors.load(priorDir, manager);
            int columns = write(model, prior, cls, count, temperature, topK, seed, !naive, out, manager);
            System.out.println("wrote " + out + " (" + columns + " per row)");
        }
        return 0;
    }

    static int write(VqVae model, CodePrior prior, Integer cls, int count, float temperature, int topK, long seed,
            boolean fast, Path out, NDManager manager) throws java.io.IOException {
        VqVaeConfig m = model.getConfig();
        CodePrior p = prior;
        if (p.numCodes() != m.numCodes()) {
            throw new IllegalArgumentException("the prior was trained for K=" + p.numCodes() + " codes but the model has K="
                    + m.numCodes());
        }
        if (p.height() != m.codeHeight() || p.width() != m.codeWidth()) {
            throw new IllegalArgumentException("the prior models " + p.height() + "x" + p.width()
                    + " code maps but the model makes " + m.codeHeight() + "x" + m.codeWidth());
        }
        long[] classes;
        int columns;
        if (cls != null) {
            classes = new long[count];
            java.util.Arrays.fill(classes, cls);
            columns = Math.min(count, 8);
        } else {
            columns = Math.max(1, count / p.numClasses());
            classes = new long[columns * p.numClasses()];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = i / columns;
            }
        }
        long[][] codes = new PriorSampler(prior, temperature, topK, fast).sample(classes, seed, manager);
        long[] flat = new long[classes.length * p.height() * p.width()];
        for (int i = 0; i < codes.length; i++) {
            System.arraycopy(codes[i], 0, flat, i * codes[i].length, codes[i].length);
        }
        try (NDManager sm = manager.newSubManager()) {
            NDArray images = model.decode(sm.create(flat, new Shape(classes.length, p.height(), p.width())));
            ImageGrid.write(out, images, columns);
        }
        return columns;
    }
}
