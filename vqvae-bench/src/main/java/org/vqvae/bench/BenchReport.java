package org.vqvae.bench;

import ai.djl.engine.Engine;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.vqvae.core.io.AtomicFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs the JMH suite and its PyTorch-eager counterparts ({@code vqvae-bench/python/torch_bench.py})
 * on the same machine, device and threads, and writes {@code REPORT.md} and {@code report.json}:
 * each figure beside its counterpart, the ratio, and the machine, thread count and versions.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.BenchReport \
 *     --mode short --threads 2 --out bench
 * </pre>
 *
 * Options: {@code --mode short|long} (iteration lengths), {@code --threads T}, {@code --device
 * cpu|gpu}, {@code --python EXE} (default /usr/bin/python3; the counterparts are skipped when it
 * cannot import torch), {@code --only REGEX} (JMH include pattern; it selects the loader benchmark too,
 * by {@link LoaderBenchmark#NAME}), {@code --out DIR}, {@code --loader-images N} (JPEGs in the
 * loader benchmark's folder: 512 short, 2048 long; 0 skips it), {@code --photos DIR} (source photos
 * the folder's images are cropped from, e.g. scikit-image's {@code skimage/data}; synthesised
 * without), {@code --param NAME=V1,V2} (replaces a JMH parameter's values in every selected benchmark
 * that has it, e.g. {@code --only TrainStep --param model=vqvae2-256:128} for the paper's batch on a GPU;
 * repeatable).
 */
public final class BenchReport {

    static final List<Class<?>> SUITE = List.of(MatmulBenchmark.class, QuantizerBenchmark.class,
            TrainStepBenchmark.class, CodecBenchmark.class, PriorStepBenchmark.class, SamplingBenchmark.class);

    private BenchReport() {}

    /**
     * Runs the suite and writes the report.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String mode = "short";
        int threads = Runtime.getRuntime().availableProcessors();
        String device = "cpu";
        String python = "/usr/bin/python3";
        String script = "vqvae-bench/python/torch_bench.py";
        String only = null;
        Path out = Path.of("bench");
        int loaderImages = -1;
        Path photos = null;
        Map<String, String[]> params = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--mode" -> mode = v;
                case "--threads" -> threads = Integer.parseInt(v);
                case "--device" -> device = v;
                case "--python" -> python = v;
                case "--script" -> script = v;
                case "--only" -> only = v;
                case "--out" -> out = Path.of(v);
                case "--loader-images" -> loaderImages = Integer.parseInt(v);
                case "--photos" -> photos = Path.of(v);
                case "--param" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0 || eq == v.length() - 1) {
                        throw new IllegalArgumentException("--param needs NAME=V1,V2,..., got " + v);
                    }
                    params.put(v.substring(0, eq), v.substring(eq + 1).split(","));
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!mode.equals("short") && !mode.equals("long")) {
            throw new IllegalArgumentException("--mode must be short or long, got " + mode);
        }
        BenchDevices.of(device);
        long began = System.nanoTime();
        if (loaderImages < 0) {
            loaderImages = mode.equals("short") ? 512 : 2048;
        }
        Map<String, Figure> ours = selects(only, suiteNames()) ? runJmh(mode, threads, device, only, params)
                : Map.of();
        JsonObject peerInfo = new JsonObject();
        Map<String, Double> theirs = ours.isEmpty() ? Map.of()
                : runPeer(python, script, mode, threads, device, ours.keySet(), peerInfo);
        if (ours.isEmpty()) {
            peerInfo.addProperty("status", "not run: --only selects no JMH benchmark");
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        // after the suite, so that the training figure it is set beside is at hand; CPU only, as decoding is
        LoaderTable loader = loaderImages > 0 && device.equals("cpu") && selects(only, List.of(LoaderBenchmark.NAME))
                ? LoaderReport.run(mode, threads, loaderImages, photos, python,
                        Path.of(script).resolveSibling("torch_loader_bench.py").toString(),
                        ours.get(LoaderTable.TRAINING_ID), theirs.getOrDefault(LoaderTable.TRAINING_ID, Double.NaN))
                : null;
        List<AttentionMemory.Row> memory = device.equals("cpu")
                ? AttentionMemory.measure(new int[] {1, 8, 32}, new int[] {256, 1024}, threads) : List.of();
        JsonObject report = new JsonObject();
        report.addProperty("mode", mode);
        report.addProperty("device", device);
        report.addProperty("threads", threads);
        report.add("machine", machine());
        report.addProperty("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        report.addProperty("engine", "DJL " + Engine.getDjlVersion() + ", libtorch "
                + Engine.getEngine("PyTorch").getVersion());
        report.add("peer", peerInfo);
        report.add("environment", environment());
        report.addProperty("minutes", Math.round((System.nanoTime() - began) / 6e10 * 10) / 10.0);
        ReportTable table = new ReportTable(ours, theirs);
        report.add("figures", table.json());
        report.add("attention_memory", AttentionMemory.json(memory));
        if (loader != null) {
            report.add("loader", loader.json());
        }
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("report.json"), JsonUtils.GSON_PRETTY.toJson(report) + "\n");
        String md = table.markdown(report);
        if (!memory.isEmpty()) {
            md += "\n## PixelSNAIL attention memory\n\nThe default PixelSNAIL (K = 512, 64 channels, 2 blocks,"
                    + " 2 heads) over 32x32 code maps (1024 positions): the rise of the process's peak resident set"
                    + " over its resident set before a forward pass without gradients (evaluation, sampling) and"
                    + " before a training pass (forward and backward), each in a fresh JVM, with the queries in chunks"
                    + " of 256 (the default) and in one chunk of all 1024. Chunking bounds the score tensor to chunk x"
                    + " positions per head instead of positions^2; in training the chunks' attention weights are kept"
                    + " for the backward pass, so there it saves the masked half rather than bounding the total.\n\n"
                    + AttentionMemory.markdown(memory);
        }
        if (loader != null) {
            md += loader.markdown();
        }
        AtomicFiles.writeString(out.resolve("REPORT.md"), md);
        System.out.println("wrote " + out.resolve("REPORT.md") + " and " + out.resolve("report.json"));
    }

    /** One measured figure: the benchmark's id, its mean time, the standard deviation over iterations, its parameters. */
    record Figure(String id, double ms, double error, Map<String, String> params) {}

    /** Whether a JMH-style include pattern (found anywhere in the name) selects any of the names; null selects all. */
    static boolean selects(String only, List<String> names) {
        if (only == null) {
            return true;
        }
        Pattern p = Pattern.compile(only);
        return names.stream().anyMatch(n -> p.matcher(n).find());
    }

    /** The suite's benchmark names as JMH matches them: class name and method. */
    private static List<String> suiteNames() {
        List<String> names = new ArrayList<>();
        for (Class<?> c : SUITE) {
            for (Method m : c.getMethods()) {
                if (m.isAnnotationPresent(Benchmark.class)) {
                    names.add(c.getName() + "." + m.getName());
                }
            }
        }
        return names;
    }

    private static Map<String, Figure> runJmh(String mode, int threads, String device, String only,
            Map<String, String[]> overrides) throws Exception {
        boolean shortMode = mode.equals("short");
        ChainedOptionsBuilder options = new OptionsBuilder()
                .forks(1)
                .warmupIterations(shortMode ? 1 : 2)
                .warmupTime(TimeValue.seconds(shortMode ? 2 : 5))
                .measurementIterations(shortMode ? 3 : 5)
                .measurementTime(TimeValue.seconds(shortMode ? 2 : 10))
                .param("device", device)
                .jvmArgsAppend("-Dai.djl.offline=true", "-Dai.djl.pytorch.num_interop_threads=1",
                        "-Dai.djl.pytorch.num_threads=" + threads, "-Xmx8g")
                .verbosity(VerboseMode.NORMAL);
        overrides.forEach(options::param);
        if (only != null) {
            options.include(only);
        } else {
            for (Class<?> c : SUITE) {
                options.include(c.getSimpleName());
            }
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, Figure> figures = new LinkedHashMap<>();
        for (RunResult r : results) {
            var params = r.getParams();
            Map<String, String> p = new LinkedHashMap<>();
            for (String key : params.getParamsKeys()) {
                p.put(key, params.getParam(key));
            }
            String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            String cls = params.getBenchmark().substring(0, params.getBenchmark().lastIndexOf('.'));
            String id = FigureIds.of(cls.substring(cls.lastIndexOf('.') + 1), method, p);
            var score = r.getPrimaryResult();
            figures.put(id, new Figure(id, score.getScore(), score.getStatistics().getStandardDeviation(), p));
        }
        return figures;
    }

    private static Map<String, Double> runPeer(String python, String script, String mode, int threads, String device,
            Collection<String> ids, JsonObject info) throws IOException, InterruptedException {
        Map<String, Double> ms = new LinkedHashMap<>();
        if (!Files.isExecutable(Path.of(python)) || !Files.isRegularFile(Path.of(script))) {
            info.addProperty("status", "not run: " + python + " or " + script + " missing");
            return ms;
        }
        List<String> cmd = new ArrayList<>(List.of(python, script, "--threads", "" + threads, "--device", device,
                "--mode", mode));
        // only the counterparts of the figures measured (all of them without --only)
        cmd.add("--only");
        cmd.addAll(ids);
        for (JsonObject o : runPython(cmd, info)) {
            ms.put(o.get("id").getAsString(), o.get("ms").getAsDouble());
        }
        return ms;
    }

    /**
     * Runs a counterpart script: its {@code {"peer": ...}} line goes into {@code info}, with a
     * {@code status}; its other JSON lines are returned.
     *
     * @param cmd the command
     * @param info receives what ran and how it ended
     * @return the figures' lines
     * @throws IOException if the process cannot be started
     * @throws InterruptedException if interrupted while waiting for it
     */
    static List<JsonObject> runPython(List<String> cmd, JsonObject info) throws IOException, InterruptedException {
        System.out.println("running the PyTorch counterparts: " + String.join(" ", cmd));
        List<JsonObject> figures = new ArrayList<>();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder other = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("{")) {
                    other.append(line).append('\n');
                    continue;
                }
                JsonObject o = JsonUtils.GSON.fromJson(line, JsonObject.class);
                if (o.has("peer")) {
                    o.entrySet().forEach(e -> info.add(e.getKey(), e.getValue()));
                } else {
                    figures.add(o);
                    System.out.println("  pytorch " + line);
                }
            }
        }
        int code = p.waitFor();
        info.addProperty("status", code == 0 ? "ok" : "failed (exit " + code + "): " + lastLine(other));
        return figures;
    }

    private static String lastLine(CharSequence text) {
        String[] lines = text.toString().strip().split("\n");
        return lines[lines.length - 1];
    }

    /** The environment variables that change both sides' speed (the allocator's, OpenMP's), those set. */
    static JsonObject environment() {
        JsonObject env = new JsonObject();
        for (String key : new String[] {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
            "MALLOC_ARENA_MAX", "OMP_NUM_THREADS"}) {
            if (System.getenv(key) != null) {
                env.addProperty(key, System.getenv(key));
            }
        }
        return env;
    }

    static JsonObject machine() {
        JsonObject m = new JsonObject();
        m.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.addProperty("cores", Runtime.getRuntime().availableProcessors());
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    m.addProperty("cpu", line.substring(line.indexOf(':') + 1).trim());
                    break;
                }
            }
        } catch (IOException e) {
            m.addProperty("cpu", "unknown");
        }
        return m;
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }
}
