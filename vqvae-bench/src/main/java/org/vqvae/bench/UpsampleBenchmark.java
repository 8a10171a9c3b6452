package org.vqvae.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.vqvae.core.io.AtomicFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Each {@link UpsampleVariant} beside PyTorch's {@code F.conv_transpose2d} ({@code
 * vqvae-bench/python/torch_upsample.py}) at the VQ-VAE-2 256x256 model's four transposed
 * convolutions, batch 16, the same threads: forward (no autograd) and forward plus backward of a
 * given output gradient into fresh leaves. Rounds alternate our side and PyTorch's so that both see
 * the same machine load; each figure is the best over all repetitions of all rounds. Writes JSON
 * and a Markdown table.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.UpsampleBenchmark \
 *     --threads 2 --rounds 3 --reps 3 --out bench/upsample.json --md bench/UPSAMPLE.md
 * </pre>
 */
public final class UpsampleBenchmark {

    /**
     * One transposed convolution of the model.
     *
     * @param where the block it belongs to
     * @param n batch
     * @param c input channels
     * @param f output channels
     * @param h input height (and width)
     * @param train whether it runs only in training (not when decoding codes)
     */
    record Site(String where, int n, int c, int f, int h, boolean train) {
        String arg() {
            return n + "," + c + "," + f + "," + h + "," + h;
        }
    }

    /** vqvae2-256 (128 hidden channels, D = 64, bottom codes 64x64, top 32x32), batch 16. */
    static final List<Site> SITES = List.of(
            new Site("top codes to the bottom level (upsample1)", 16, 64, 64, 32, false),
            new Site("top-level conditioner (training and encoding)", 16, 128, 64, 32, true),
            new Site("decoder, first", 16, 128, 64, 64, false),
            new Site("decoder, last (to RGB)", 16, 64, 3, 128, false));

    private UpsampleBenchmark() {}

    /**
     * Runs the comparison.
     *
     * @param args {@code --threads T --rounds R --reps K --variants REGEX --python EXE --out FILE --md FILE}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int threads = 2;
        int rounds = 3;
        int reps = 3;
        String python = "/usr/bin/python3";
        String script = "vqvae-bench/python/torch_upsample.py";
        Path out = Path.of("bench/upsample.json");
        Path md = Path.of("bench/UPSAMPLE.md");
        String only = ".*";
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--reps" -> reps = Integer.parseInt(v);
                case "--python" -> python = v;
                case "--out" -> out = Path.of(v);
                case "--md" -> md = Path.of(v);
                case "--variants" -> only = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine engine = Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        String pattern = only;
        UpsampleVariant[] variants = Arrays.stream(UpsampleVariant.values()).filter(v -> v.name().matches(pattern))
                .toArray(UpsampleVariant[]::new);
        double[][][] ours = new double[SITES.size()][variants.length][];
        double[][] theirs = new double[SITES.size()][];
        String peer = null;
        for (int r = 0; r < rounds; r++) {
            try (NDManager m = NDManager.newBaseManager()) {
                for (int s = 0; s < SITES.size(); s++) {
                    for (int v = 0; v < variants.length; v++) {
                        ours[s][v] = best(ours[s][v], time(m, engine, variants[v], SITES.get(s), reps));
                        System.err.printf(Locale.ROOT, "round %d %s %s: %s%n", r, SITES.get(s).arg(), variants[v],
                                Arrays.toString(ours[s][v]));
                    }
                }
            }
            JsonObject p = runPeer(python, script, threads, reps);
            if (p != null) {
                peer = p.get("peer").getAsString();
                JsonArray rows = p.getAsJsonArray("shapes");
                for (int s = 0; s < SITES.size(); s++) {
                    JsonObject o = rows.get(s).getAsJsonObject();
                    theirs[s] = best(theirs[s], new double[] {o.get("fwd_ms").getAsDouble(),
                            o.get("fwd_bwd_ms").getAsDouble()});
                    System.err.printf(Locale.ROOT, "round %d %s pytorch: %s%n", r, SITES.get(s).arg(),
                            Arrays.toString(theirs[s]));
                }
            }
        }
        JsonObject report = json(variants, ours, theirs, peer, threads, rounds, reps, engine);
        AtomicFiles.writeString(out, JsonUtils.GSON_PRETTY.toJson(report) + "\n");
        AtomicFiles.writeString(md, UpsampleTable.markdown(report));
        System.out.println(JsonUtils.GSON_PRETTY.toJson(report));
    }

    /** Best forward and forward-plus-backward milliseconds of {@code reps} runs after one warm-up. */
    private static double[] time(NDManager base, Engine engine, UpsampleVariant variant, Site site, int reps) {
        engine.setRandomSeed(0);
        NDArray x = base.randomNormal(new Shape(site.n(), site.c(), site.h(), site.h()));
        NDArray w = base.randomNormal(0, 0.05f, new Shape(site.c(), site.f(), 4, 4), x.getDataType());
        NDArray b = base.randomNormal(new Shape(site.f()));
        NDArray g = base.randomNormal(new Shape(site.n(), site.f(), 2 * site.h(), 2 * site.h()));
        double fwd = Double.MAX_VALUE;
        double both = Double.MAX_VALUE;
        for (int i = 0; i <= reps; i++) {
            try (NDManager step = base.newSubManager()) {
                x.tempAttach(step);
                long t = System.nanoTime();
                variant.apply(x, w, b).getShape(); // CPU: the result is complete when the call returns
                double ms = (System.nanoTime() - t) / 1e6;
                fwd = i == 0 ? fwd : Math.min(fwd, ms);
            }
            try (NDManager step = base.newSubManager()) {
                NDArray xl = x.duplicate();
                NDArray wl = w.duplicate();
                NDArray bl = b.duplicate();
                for (NDArray leaf : new NDArray[] {xl, wl, bl}) {
                    leaf.attach(step);
                    leaf.setRequiresGradient(true);
                }
                try (GradientCollector gc = engine.newGradientCollector()) {
                    long t = System.nanoTime();
                    NDArray y = variant.apply(xl, wl, bl);
                    JniUtils.backward((PtNDArray) y, (PtNDArray) g, false, false);
                    double ms = (System.nanoTime() - t) / 1e6;
                    both = i == 0 ? both : Math.min(both, ms);
                }
            }
        }
        return new double[] {fwd, both};
    }

    private static double[] best(double[] a, double[] b) {
        return a == null ? b : new double[] {Math.min(a[0], b[0]), Math.min(a[1], b[1])};
    }

    private static JsonObject runPeer(String python, String script, int threads, int reps)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(Path.of(script)) || !Files.isExecutable(Path.of(python))) {
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(python, script, "--threads", Integer.toString(threads), "--reps",
                Integer.toString(reps), "--shapes"));
        SITES.forEach(s -> cmd.add(s.arg()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("{")) {
                    last = line;
                }
            }
        }
        return p.waitFor() != 0 || last == null ? null : JsonUtils.GSON.fromJson(last, JsonObject.class);
    }

    private static JsonObject json(UpsampleVariant[] variants, double[][][] ours, double[][] theirs, String peer,
            int threads, int rounds, int reps, Engine engine) {
        JsonObject report = new JsonObject();
        report.addProperty("benchmark", "4x4 stride-2 transposed convolution at vqvae2-256's sites, batch 16;"
                + " best of " + rounds + " rounds x " + reps + " runs, ms");
        report.addProperty("threads", threads);
        report.addProperty("machine", System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        report.addProperty("engine", "DJL " + Engine.getDjlVersion() + ", PyTorch " + engine.getVersion());
        report.addProperty("peer", peer == null ? "not run" : peer);
        JsonArray sites = new JsonArray();
        for (int s = 0; s < SITES.size(); s++) {
            Site site = SITES.get(s);
            JsonObject o = new JsonObject();
            o.addProperty("where", site.where());
            o.addProperty("shape", "[" + site.n() + ", " + site.c() + ", " + site.h() + ", " + site.h() + "] -> ["
                    + site.n() + ", " + site.f() + ", " + 2 * site.h() + ", " + 2 * site.h() + "]");
            o.addProperty("training_only", site.train());
            for (int v = 0; v < variants.length; v++) {
                o.add(variants[v].name(), figures(ours[s][v]));
            }
            if (theirs[s] != null) {
                o.add("pytorch_conv_transpose2d", figures(theirs[s]));
            }
            sites.add(o);
        }
        report.add("sites", sites);
        return report;
    }

    private static JsonObject figures(double[] ms) {
        JsonObject o = new JsonObject();
        o.addProperty("fwd_ms", Math.round(ms[0] * 100) / 100.0);
        o.addProperty("fwd_bwd_ms", Math.round(ms[1] * 100) / 100.0);
        return o;
    }
}
