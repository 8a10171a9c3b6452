package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.TrainingOptions;
import org.vqvae.core.train.TrainingSummary;
import org.vqvae.core.train.VqVaeTrainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Codebook usage of the paper's VQ-VAE on the embedded MNIST sample, the same run length and seed
 * with and without dead-code restarts (and with k-means++ initialisation), for both codebook
 * update rules.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.CodebookHealthReport \
 *     --steps 500 --threads 2 --out bench/codebook-health.json
 * </pre>
 */
public final class CodebookHealthReport {

    private CodebookHealthReport() {}

    /**
     * Runs the comparison.
     *
     * @param args {@code --steps N --threads T --out FILE}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        long steps = 500;
        int threads = 2;
        Path out = Path.of("bench/codebook-health.json");
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--steps" -> steps = Long.parseLong(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("DJL_DISABLE_PROGRESS_BAR", "true");
        DataSpec.Splits<ImageSet> data = DataSpec.parse("embedded").load();
        JsonArray rows = new JsonArray();
        Object[][] variants = {
            {false, 0, false}, {false, 20, false}, {false, 20, true}, {true, 0, false}, {true, 20, false}
        };
        for (Object[] v : variants) {
            boolean ema = (Boolean) v[0];
            int restart = (Integer) v[1];
            boolean kmeans = (Boolean) v[2];
            Engine.getEngine("PyTorch").setRandomSeed(0);
            VqVaeConfig config = VqVaeConfig.defaults(1, 28, 28).withEma(ema).withCodebookHealth(restart, kmeans);
            TrainingSummary s = new VqVaeTrainer(new VqVae(config),
                    new TrainingOptions(steps, 128, 2e-4f, 0, steps, Files.createTempDirectory("health-"), false),
                    new PrintStream(new ByteArrayOutputStream())).train(data, "embedded", Device.cpu());
            JsonObject r = new JsonObject();
            r.addProperty("codebook", ema ? "ema" : "loss");
            r.addProperty("restart_after", restart);
            r.addProperty("kmeans_init", kmeans);
            r.addProperty("codebook_usage", s.codebookUsage());
            r.addProperty("perplexity", Math.round(s.perplexity() * 10) / 10.0);
            r.addProperty("test_mse", s.testMse());
            rows.add(r);
            System.out.println(r);
        }
        JsonObject report = new JsonObject();
        report.addProperty("benchmark", "VQ-VAE (paper defaults, K=512) on the embedded MNIST sample, " + steps
                + " steps of 128, seed 0: held-out codebook usage");
        report.addProperty("threads", threads);
        report.add("results", rows);
        AtomicFiles.writeString(out, JsonUtils.GSON_PRETTY.toJson(report) + "\n");
    }
}
