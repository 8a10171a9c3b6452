package org.vqvae.spark;

import org.vqvae.core.train.Checkpoint;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code vqvae spark sample}: N images sampled over the executors, independent of their number. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample N code maps from the prior(s) and decode them, spread over a Spark cluster: OUT/"
                + "{LEVEL_codes,codes}.npy, OUT/labels.npy and OUT/images.npy (uint8 [N, C, H, W]). Image i has its own"
                + " seed and batch, so the files do not depend on the number of executors.")
final class SampleCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "VQ-VAE or VQ-VAE-2 run directory.")
    String model;

    @Option(names = "--prior", paramLabel = "DIR", description = "Prior run directory (one-level VQ-VAE).")
    String prior;

    @Option(names = "--top-prior", paramLabel = "DIR", description = "VQ-VAE-2 top-level prior.")
    String topPrior;

    @Option(names = "--middle-prior", paramLabel = "DIR", description = "VQ-VAE-2 middle-level prior (3 levels).")
    String middlePrior;

    @Option(names = "--bottom-prior", paramLabel = "DIR", description = "VQ-VAE-2 bottom-level prior.")
    String bottomPrior;

    @Option(names = "-n", paramLabel = "N", defaultValue = "64", description = "Images (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--class", paramLabel = "C", description = "Every image's class (default: image i has class i mod classes).")
    Integer cls;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1", description = "Softmax temperature, every level.")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Sample among the K likeliest codes (0 = all).")
    int topK;

    @Option(names = "--level-temperature", paramLabel = "LEVEL=T", description = "Temperature of one level (repeatable).")
    Map<String, Float> levelTemperature = new HashMap<>();

    @Option(names = "--level-top-k", paramLabel = "LEVEL=K", description = "Top-k of one level (repeatable).")
    Map<String, Integer> levelTopK = new HashMap<>();

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed the images' seeds derive from.")
    long seed;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "16", description = "Images sampled together (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--batches-per-task", paramLabel = "N", defaultValue = "1", description = "Batches per Spark task.")
    int batchesPerTask;

    @Option(names = "--codes-only", description = "Write the code maps only, without decoding them.")
    boolean codesOnly;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory (local or URI).")
    String out;

    @Mixin SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        int levels;
        if (!HadoopFiles.isUri(model)) {
            // refused before Spark starts: a missing model, priors that do not match its levels
            String json = Checkpoint.readConfigJson(java.nio.file.Path.of(model));
            levels = org.vqvae.core.model.VqVae2Config.isVqVae2(json)
                    ? org.vqvae.core.model.VqVae2Config.fromJson(json).levels() : 1;
        } else {
            levels = prior != null ? 1 : middlePrior != null ? 3 : 2;
        }
        List<String> priors = priors(levels);
        List<String> names = new ArrayList<>();
        float[] temperatures = new float[levels];
        int[] topKs = new int[levels];
        for (int l = 0; l < levels; l++) {
            String name = levels == 1 ? "codes" : levels == 2 ? (l == 0 ? "bottom" : "top")
                    : new String[] {"bottom", "middle", "top"}[l];
            names.add(name);
            temperatures[l] = levelTemperature.getOrDefault(name, temperature);
            topKs[l] = levelTopK.getOrDefault(name, topK);
        }
        for (String name : levelTemperature.keySet()) {
            check(name, names, "--level-temperature");
        }
        for (String name : levelTopK.keySet()) {
            check(name, names, "--level-top-k");
        }
        long began = System.nanoTime();
        int groups = SampleJob.run(spark.session("sample"), new SampleJob.Request(model, priors, count, cls, seed,
                temperatures, topKs, batch, batchesPerTask, codesOnly, out, spark.threads));
        double secs = (System.nanoTime() - began) / 1e9;
        System.out.printf(Locale.ROOT, "wrote %s: %d sampled images in %d batches (%.1f s)%n", out, count, groups, secs);
        return 0;
    }

    private List<String> priors(int levels) {
        if (levels == 1) {
            if (prior == null || topPrior != null || bottomPrior != null || middlePrior != null) {
                throw new IllegalArgumentException("a one-level VQ-VAE takes --prior DIR (not --top-prior etc.)");
            }
            return List.of(prior);
        }
        if (prior != null) {
            throw new IllegalArgumentException("this VQ-VAE-2 has " + levels + " levels: give --top-prior and"
                    + " --bottom-prior" + (levels == 3 ? " and --middle-prior" : "") + " instead of --prior");
        }
        if (topPrior == null || bottomPrior == null || (levels == 3) != (middlePrior != null)) {
            throw new IllegalArgumentException("this VQ-VAE-2 has " + levels + " levels: give --top-prior"
                    + (levels == 3 ? ", --middle-prior" : "") + " and --bottom-prior");
        }
        return levels == 3 ? List.of(bottomPrior, middlePrior, topPrior) : List.of(bottomPrior, topPrior);
    }

    private static void check(String name, List<String> names, String option) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException(option + " names level '" + name + "' but the model's levels are "
                    + String.join(", ", names));
        }
    }
}
