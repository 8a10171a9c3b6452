package org.vqvae.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.vqvae.core.io.AtomicFiles;
import org.vqvae.prior.GatedPixelCnn;
import org.vqvae.prior.PixelCnnConfig;
import org.vqvae.prior.PriorSampler;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Sampling a full code map from the default Gated PixelCNN (K = 512, 64 channels, 12 layers):
 * the naive sampler (whole map per position) against the fast one (only the rows a position
 * depends on), for 8x8 and 32x32 maps, and a check that both returned the same codes.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.SamplingReport \
 *     --threads 2 --out bench/sampling.json
 * </pre>
 */
public final class SamplingReport {

    private SamplingReport() {}

    /**
     * Runs the comparison.
     *
     * @param args {@code --threads T --out FILE}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int threads = 2;
        Path out = Path.of("bench/sampling.json");
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        JsonArray rows = new JsonArray();
        int[][] cases = {{8, 16}, {32, 4}};
        for (int[] c : cases) {
            int size = c[0];
            int n = c[1];
            Engine.getEngine("PyTorch").setRandomSeed(0);
            GatedPixelCnn prior = new GatedPixelCnn(PixelCnnConfig.defaults(512, 10, size, size));
            try (NDManager m = NDManager.newBaseManager()) {
                prior.initialize(m);
                long[] classes = new long[n];
                for (int i = 0; i < n; i++) {
                    classes[i] = i % 10;
                }
                new PriorSampler(prior, 1f, 0, true).sample(new long[] {0}, 0, m); // warm-up
                long t0 = System.nanoTime();
                long[][] naive = new PriorSampler(prior, 1f, 0, false).sample(classes, 7, m);
                double naiveS = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                long[][] fast = new PriorSampler(prior, 1f, 0, true).sample(classes, 7, m);
                double fastS = (System.nanoTime() - t0) / 1e9;
                JsonObject r = new JsonObject();
                r.addProperty("map", size + "x" + size);
                r.addProperty("samples", n);
                r.addProperty("naive_s", Math.round(naiveS * 1000) / 1000.0);
                r.addProperty("fast_s", Math.round(fastS * 1000) / 1000.0);
                r.addProperty("speedup", Math.round(naiveS / fastS * 100) / 100.0);
                r.addProperty("same_codes", Arrays.deepEquals(naive, fast));
                rows.add(r);
                System.out.println(r);
            }
        }
        JsonObject report = new JsonObject();
        report.addProperty("benchmark", "Gated PixelCNN sampling, K=512, 64 channels, 12 layers, kernel 3, CPU");
        report.addProperty("threads", threads);
        report.add("results", rows);
        AtomicFiles.writeString(out, JsonUtils.GSON_PRETTY.toJson(report) + "\n");
    }
}
