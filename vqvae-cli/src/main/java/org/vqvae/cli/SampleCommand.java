package org.vqvae.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.io.ImageGrid;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.HierarchicalSampler;
import org.vqvae.prior.Priors;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vqvae sample}: new images from the priors, decoded by the model. A VQ-VAE takes one
 * {@code --prior}; a VQ-VAE-2 one prior per level, sampled top-down.
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample code maps from the prior(s) and decode them to a PNG grid (one row per class without "
                + "--class). VQ-VAE: --prior DIR. VQ-VAE-2: --top-prior DIR --bottom-prior DIR (and --middle-prior "
                + "for 3 levels): top first, then each level given the one above.")
final class SampleCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "VQ-VAE or VQ-VAE-2 run directory.")
    Path modelDir;

    @Option(names = "--prior", paramLabel = "DIR", description = "Prior run directory (one-level VQ-VAE).")
    Path priorDir;

    @Option(names = "--top-prior", paramLabel = "DIR", description = "VQ-VAE-2 top-level prior.")
    Path topPrior;

    @Option(names = "--middle-prior", paramLabel = "DIR", description = "VQ-VAE-2 middle-level prior (3 levels).")
    Path middlePrior;

    @Option(names = "--bottom-prior", paramLabel = "DIR", description = "VQ-VAE-2 bottom-level prior.")
    Path bottomPrior;

    @Option(names = "--class", paramLabel = "C", description = "Class to sample (default: every class, a row each).")
    Integer cls;

    @Option(names = "--classes", paramLabel = "C,C,...", split = ",",
            description = "Classes to sample, a row each (default: every class); e.g. a few of ImageNet's 1000.")
    List<Integer> classList;

    @Option(names = "-n", paramLabel = "N", defaultValue = "64", description = "Images (default ${DEFAULT-VALUE}); per class without --class: N / classes.")
    int count;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1", description = "Softmax temperature, every level (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Sample among the K likeliest codes, every level (0 = all).")
    int topK;

    @Option(names = "--level-temperature", paramLabel = "LEVEL=T", description = "Temperature of one level, e.g. top=0.8 (repeatable).")
    Map<String, Float> levelTemperature = new LinkedHashMap<>();

    @Option(names = "--level-top-k", paramLabel = "LEVEL=K", description = "Top-k of one level, e.g. bottom=32 (repeatable).")
    Map<String, Integer> levelTopK = new LinkedHashMap<>();

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
            CodeModel model = Checkpoint.loadAny(modelDir, manager);
            List<CodePrior> priors = loadPriors(model, manager);
            float[] temperatures = new float[model.levels()];
            int[] topKs = new int[model.levels()];
            List<String> names = new ArrayList<>();
            for (int l = 0; l < model.levels(); l++) {
                String name = model.levels() == 1 ? "codes" : model.levelName(l);
                names.add(name);
                temperatures[l] = levelTemperature.getOrDefault(name, temperature);
                topKs[l] = levelTopK.getOrDefault(name, topK);
            }
            for (String name : levelTemperature.keySet()) {
                checkLevel(name, names, "--level-temperature");
            }
            for (String name : levelTopK.keySet()) {
                checkLevel(name, names, "--level-top-k");
            }
            HierarchicalSampler sampler = new HierarchicalSampler(priors, temperatures, topKs, !naive);
            int classes = priors.get(0).numClasses();
            if (classList != null) {
                if (cls != null) {
                    throw new IllegalArgumentException("give --class or --classes, not both");
                }
                for (int c : classList) {
                    if (c < 0 || c >= classes) {
                        throw new IllegalArgumentException("--classes: class " + c + " outside [0, " + classes + ")");
                    }
                }
            }
            int columns = write(model, sampler, classes, cls, classList, count, seed, out, manager);
            System.out.println("wrote " + out + " (" + columns + " per row)");
        }
        return 0;
    }

    private static void checkLevel(String name, List<String> names, String option) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException(option + " names level '" + name + "' but the model's levels are "
                    + String.join(", ", names));
        }
    }

    private List<CodePrior> loadPriors(CodeModel model, NDManager manager) throws IOException {
        if (model.levels() == 1) {
            if (priorDir == null || topPrior != null || bottomPrior != null || middlePrior != null) {
                throw new IllegalArgumentException("a one-level VQ-VAE takes --prior DIR (not --top-prior etc.)");
            }
            return List.of(Priors.load(priorDir, manager));
        }
        if (priorDir != null) {
            throw new IllegalArgumentException("this VQ-VAE-2 has " + model.levels() + " levels: give "
                    + (model.levels() == 3 ? "--top-prior, --middle-prior and --bottom-prior" : "--top-prior and --bottom-prior")
                    + " instead of --prior");
        }
        List<CodePrior> priors = new ArrayList<>();
        for (int l = 0; l < model.levels(); l++) {
            String name = model.levelName(l);
            Path dir = switch (name) {
                case "top" -> topPrior;
                case "bottom" -> bottomPrior;
                case "middle" -> middlePrior;
                default -> throw new IllegalArgumentException("sampling supports 2 or 3 levels, the model has "
                        + model.levels());
            };
            if (dir == null) {
                throw new IllegalArgumentException("--" + name + "-prior is missing: the model has levels "
                        + levelNames(model));
            }
            priors.add(Priors.load(dir, manager));
        }
        if (model.levels() == 2 && middlePrior != null) {
            throw new IllegalArgumentException("--middle-prior is only for a 3-level VQ-VAE-2");
        }
        return priors;
    }

    private static String levelNames(CodeModel model) {
        List<String> names = new ArrayList<>();
        for (int l = model.levels() - 1; l >= 0; l--) {
            names.add(model.levelName(l));
        }
        return String.join(", ", names);
    }

    /**
     * Samples and writes the grid.
     *
     * @return images per row
     */
    static int write(CodeModel model, HierarchicalSampler sampler, int numClasses, Integer cls, int count, long seed,
            Path out, NDManager manager) throws IOException {
        return write(model, sampler, numClasses, cls, null, count, seed, out, manager);
    }

    /**
     * Samples and writes the grid, a row per class of {@code rows} when given.
     *
     * @return images per row
     */
    static int write(CodeModel model, HierarchicalSampler sampler, int numClasses, Integer cls, List<Integer> rows,
            int count, long seed, Path out, NDManager manager) throws IOException {
        sampler.checkFits(model);
        long[] classes;
        int columns;
        if (cls != null) {
            classes = new long[count];
            Arrays.fill(classes, cls);
            columns = Math.min(count, 8);
        } else if (rows != null) {
            columns = Math.max(1, count / rows.size());
            classes = new long[columns * rows.size()];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = rows.get(i / columns);
            }
        } else {
            columns = Math.max(1, count / numClasses);
            classes = new long[columns * numClasses];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = i / columns;
            }
        }
        long[][][] codes = sampler.sample(classes, seed, manager);
        try (NDManager sm = manager.newSubManager()) {
            NDArray images = model.decodeLevels(sampler.toArrays(codes, sm));
            ImageGrid.write(out, images, columns);
        }
        return columns;
    }
}
