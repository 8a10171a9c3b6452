package org.vqvae.bench;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.vqvae.core.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory over a long run: runs {@code vqvae train} (a VQ-VAE, a VQ-VAE-2) and {@code vqvae
 * train-prior} through the {@code vqvae} launcher, exactly as users run them, with the Java heap
 * fixed and touched up front ({@code -Xms = -Xmx}, {@code -XX:+AlwaysPreTouch}), so that any growth
 * of the resident set is native memory. The resident set ({@code VmRSS} of the process) is read
 * at every step the progress line reports; the growth after warm-up is the least-squares slope of
 * the highest reading of each evaluation interval ({@link #intervalPeakSlope}), evaluations
 * included, in MB per 1,000 steps. Goal: under 0.5 MB per 1,000 steps (5 MB per 10,000).
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.SoakBenchmark \
 *     [--steps 3000] [--warmup 1000] [--eval-every 500] [--batch 32] [--threads 2] \
 *     [--workloads vqvae,vqvae2,prior] [--heap 512m] [--launcher ./vqvae] [--out bench/soak.json]
 * </pre>
 */
public final class SoakBenchmark {

    private static final Pattern STEP = Pattern.compile("step (\\d+)/(\\d+)");

    private SoakBenchmark() {}

    /** One resident-set reading. */
    record Sample(long step, double rssMb) {}

    /**
     * Runs the soak.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        long steps = 3000;
        long warmup = 1000;
        long evalEvery = 500;
        int batch = 32;
        int threads = 2;
        String workloads = "vqvae,vqvae2,prior";
        String heap = "512m";
        String launcher = "./vqvae";
        Path out = Path.of("bench/soak.json");
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--steps" -> steps = Long.parseLong(v);
                case "--warmup" -> warmup = Long.parseLong(v);
                case "--eval-every" -> evalEvery = Long.parseLong(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--workloads" -> workloads = v;
                case "--heap" -> heap = v;
                case "--launcher" -> launcher = v;
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (warmup >= steps) {
            throw new IllegalArgumentException("--warmup must be below --steps");
        }
        Path work = Files.createTempDirectory("vqvae-soak-");
        String javaOpts = "-Xms" + heap + " -Xmx" + heap + " -XX:+AlwaysPreTouch";
        List<String> common = List.of("--steps", Long.toString(steps), "--batch", Integer.toString(batch),
                "--eval-every", Long.toString(evalEvery), "--threads", Integer.toString(threads));
        JsonObject report = new JsonObject();
        report.addProperty("benchmark", "resident set of the vqvae command over " + steps + " steps of " + batch
                + ", evaluation every " + evalEvery + " steps, heap fixed at " + heap + " and pre-touched;"
                + " growth = least-squares slope after step " + warmup);
        report.addProperty("goal_mb_per_1000_steps", 0.5);
        JsonArray runs = new JsonArray();
        for (String w : workloads.split(",")) {
            List<String> cmd = new ArrayList<>(List.of(launcher));
            switch (w.trim()) {
                case "vqvae" -> cmd.addAll(List.of("train", "--data", "embedded", "--out", work.resolve("vqvae").toString()));
                case "vqvae2" -> cmd.addAll(List.of("train", "--model", "vqvae2", "--data", "coloured-digits", "--out",
                        work.resolve("vqvae2").toString()));
                case "prior" -> {
                    Path codes = priorCodes(launcher, work, javaOpts, threads);
                    cmd.addAll(List.of("train-prior", "--codes", codes.toString(), "--out", work.resolve("prior").toString()));
                }
                default -> throw new IllegalArgumentException("workloads are vqvae, vqvae2 and prior, not " + w);
            }
            cmd.addAll(common);
            List<Sample> samples = run(cmd, javaOpts);
            JsonObject r = summarise(w.trim(), samples, warmup, steps, evalEvery);
            System.out.println(r);
            runs.add(r);
            report.add("runs", runs);
            AtomicFiles.writeString(out, JsonUtils.GSON_PRETTY.toJson(report) + "\n");
        }
        System.out.println(JsonUtils.GSON_PRETTY.toJson(report));
    }

    /** Codes for the prior's soak: a briefly trained VQ-VAE's codes of the embedded set. */
    private static Path priorCodes(String launcher, Path work, String javaOpts, int threads)
            throws IOException, InterruptedException {
        Path model = work.resolve("prior-vqvae");
        Path codes = work.resolve("prior-codes");
        run(List.of(launcher, "train", "--data", "embedded", "--steps", "20", "--out", model.toString(), "--threads",
                Integer.toString(threads)), javaOpts);
        run(List.of(launcher, "extract-codes", "--model", model.toString(), "--data", "embedded", "--out",
                codes.toString(), "--threads", Integer.toString(threads)), javaOpts);
        return codes;
    }

    /**
     * Runs a command, reading the resident set of its process at every new step it reports.
     *
     * @param cmd the command
     * @param javaOpts the JVM options (through {@code VQVAE_JAVA_OPTS})
     * @return the readings
     * @throws IOException if the command fails
     * @throws InterruptedException if interrupted
     */
    static List<Sample> run(List<String> cmd, String javaOpts) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("VQVAE_JAVA_OPTS", javaOpts);
        Process p = pb.start();
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        List<Sample> samples = new ArrayList<>();
        StringBuilder tail = new StringBuilder();
        StringBuilder line = new StringBuilder();
        long last = 0;
        try (InputStream in = p.getInputStream()) {
            int c;
            while ((c = in.read()) >= 0) {
                if (c != '\r' && c != '\n') {
                    line.append((char) c);
                    continue;
                }
                Matcher m = STEP.matcher(line);
                long step = -1;
                while (m.find()) {
                    step = Long.parseLong(m.group(1));
                }
                if (step > last) {
                    last = step;
                    double rss = rssMb(status);
                    if (rss > 0) {
                        samples.add(new Sample(step, rss));
                    }
                }
                tail.append(line).append('\n');
                if (tail.length() > 4000) {
                    tail.delete(0, tail.length() - 4000);
                }
                line.setLength(0);
            }
        }
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + tail);
        }
        return samples;
    }

    /** The process's resident set in MB, or -1 once it has gone. */
    private static double rssMb(Path status) {
        try {
            for (String l : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
        return -1;
    }

    /**
     * The figures of one workload.
     *
     * @param name the workload
     * @param samples its readings
     * @param warmup steps left out of the slope
     * @param steps the run's steps
     * @param evalEvery the evaluation interval
     * @return the summary
     */
    static JsonObject summarise(String name, List<Sample> samples, long warmup, long steps, long evalEvery) {
        List<double[]> after = new ArrayList<>();
        double max = 0;
        double atWarmup = Double.NaN;
        for (Sample s : samples) {
            max = Math.max(max, s.rssMb());
            if (s.step() < warmup) {
                continue;
            }
            if (Double.isNaN(atWarmup)) {
                atWarmup = s.rssMb();
            }
            after.add(new double[] {s.step(), s.rssMb()});
        }
        double slope = slope(after);
        JsonObject r = new JsonObject();
        r.addProperty("workload", name);
        r.addProperty("steps", steps);
        r.addProperty("readings", samples.size());
        put(r, "rss_at_warmup_mb", atWarmup);
        put(r, "rss_at_end_mb", samples.isEmpty() ? Double.NaN : samples.get(samples.size() - 1).rssMb());
        put(r, "rss_max_mb", max);
        put(r, "growth_mb_per_1000_steps", intervalPeakSlope(samples, warmup, evalEvery) * 1000);
        put(r, "raw_slope_mb_per_1000_steps", slope * 1000);
        JsonArray trace = new JsonArray();
        long every = Math.max(1, steps / 60);
        for (Sample s : samples) {
            if (s.step() % every == 0) {
                JsonArray pt = new JsonArray();
                pt.add(s.step());
                pt.add(round(s.rssMb()));
                trace.add(pt);
            }
        }
        r.add("rss_mb_by_step", trace);
        return r;
    }

    /**
     * The least-squares slope of the highest reading of each evaluation interval after warm-up, per
     * step. An evaluation hands its peak back to the system ({@code malloc_trim}) and the steps after
     * it take their working memory again, so the raw readings dip after every evaluation; the peaks
     * of the intervals are what would grow if anything leaked.
     *
     * @param samples the readings
     * @param warmup steps left out
     * @param evalEvery the interval
     * @return MB per step, NaN with fewer than two intervals
     */
    static double intervalPeakSlope(List<Sample> samples, long warmup, long evalEvery) {
        java.util.TreeMap<Long, Sample> peaks = new java.util.TreeMap<>();
        for (Sample s : samples) {
            if (s.step() >= warmup) {
                long interval = (s.step() - 1) / evalEvery;
                peaks.merge(interval, s, (a, b) -> b.rssMb() > a.rssMb() ? b : a);
            }
        }
        // each peak at the step it was read: an interval cut short by the warm-up has its peak early
        List<double[]> points = new ArrayList<>();
        peaks.values().forEach(p -> points.add(new double[] {p.step(), p.rssMb()}));
        return slope(points);
    }

    /** The least-squares slope of {@code (x, y)} points, NaN with fewer than two. */
    private static double slope(List<double[]> points) {
        int n = points.size();
        if (n < 2) {
            return Double.NaN;
        }
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (double[] p : points) {
            sx += p[0];
            sy += p[1];
            sxx += p[0] * p[0];
            sxy += p[0] * p[1];
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** JSON has no NaN: a figure that could not be measured is null. */
    private static void put(JsonObject o, String key, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(key, round(v));
        } else {
            o.add(key, com.google.gson.JsonNull.INSTANCE);
        }
    }
}
