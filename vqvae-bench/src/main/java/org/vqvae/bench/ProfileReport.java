package org.vqvae.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.vqvae.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Profiles figures of the suite operator by operator on both sides and writes {@code PROFILE.md}
 * and {@code profile.json}: per figure, each side's top operators by self time, the time outside
 * operators and the wall time. Ours is the JMH benchmark's own fixture and method ({@link
 * BenchWorkload}) under libtorch's profiler; PyTorch's is the same workload of {@code
 * torch_bench.py --profile} under {@code torch.profiler}, run right after ours. Each side runs 2
 * warm-up operations, then the profiled ones.
 *
 * <pre>
 * vqvae-bench/profile.sh --only 'encode-vqvae2-256|train-vqvae2-256' --iterations 3
 * </pre>
 *
 * Options: {@code --only REGEX} (matched against whole figure ids; default {@link #DEFAULT_ONLY}),
 * {@code --threads T} (2), {@code --iterations N} (3), {@code --out DIR} (bench), {@code --python
 * EXE} (/usr/bin/python3; PyTorch's column is empty when it cannot run), {@code --script PATH}.
 */
public final class ProfileReport {

    /** The figures profiled without {@code --only}: the 256x256 codec and the ones slower than PyTorch. */
    static final String DEFAULT_ONLY = "encode-vqvae2-256|decode-vqvae2-256|train-vqvae2-256|quantizer-N65536-K8192"
            + "|prior-step-pixelcnn-8|sample-pixelcnn-8-fast|sample-pixelsnail-8-naive";

    private static final int WARMUP = 2;

    private ProfileReport() {}

    /**
     * Profiles the figures and writes the report.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String only = DEFAULT_ONLY;
        int threads = 2;
        int iterations = 3;
        Path out = Path.of("bench");
        String python = "/usr/bin/python3";
        String script = "vqvae-bench/python/torch_bench.py";
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--only" -> only = v;
                case "--threads" -> threads = Integer.parseInt(v);
                case "--iterations" -> iterations = Integer.parseInt(v);
                case "--out" -> out = Path.of(v);
                case "--python" -> python = v;
                case "--script" -> script = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("--iterations must be at least 1, got " + iterations);
        }
        long began = System.nanoTime();
        Pattern selected = Pattern.compile(only);
        List<BenchWorkload> workloads = BenchWorkload.of(BenchReport.SUITE).stream()
                .filter(w -> selected.matcher(w.id()).matches()).toList();
        if (workloads.isEmpty()) {
            throw new IllegalArgumentException("--only " + only + " selects no figure, e.g. "
                    + BenchWorkload.of(BenchReport.SUITE).get(0).id());
        }
        // as the JMH forks run: DJL offline, T intra-op threads, one inter-op thread
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine engine = Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        Map<String, FigureProfile> ours = new LinkedHashMap<>();
        Map<String, FigureProfile> theirs = new LinkedHashMap<>();
        JsonObject peer = new JsonObject();
        Map<String, double[]> load = new LinkedHashMap<>();
        for (BenchWorkload w : workloads) {
            load.put(w.id(), new double[] {loadAverage(), Double.NaN});
            FigureProfile p = profile(w, iterations);
            System.out.printf("ours %s: %s ms per operation%n", w.id(), BenchReport.fmt(p.wallMs()));
            ours.put(w.id(), p);
            // each figure's counterpart right after it, so that both see the same load on a shared machine
            load.get(w.id())[1] = loadAverage();
            theirs.putAll(runPeer(python, script, threads, iterations, w.id(), peer));
        }

        JsonObject report = new JsonObject();
        StringBuilder command = new StringBuilder("vqvae-bench/profile.sh");
        for (String a : args) {
            command.append(' ').append(a.matches("[\\w./=:,+-]+") ? a : "'" + a + "'");
        }
        report.addProperty("command", command.toString());
        report.addProperty("threads", threads);
        report.addProperty("warmup", WARMUP);
        report.addProperty("iterations", iterations);
        report.add("machine", BenchReport.machine());
        report.addProperty("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        report.addProperty("engine", "DJL " + Engine.getDjlVersion() + ", libtorch " + engine.getVersion());
        report.add("peer", peer);
        report.add("environment", BenchReport.environment());
        report.addProperty("minutes", Math.round((System.nanoTime() - began) / 6e10 * 10) / 10.0);
        JsonArray figures = new JsonArray();
        ours.forEach((id, p) -> {
            JsonObject f = new JsonObject();
            f.addProperty("id", id);
            f.addProperty("load_before_ours", load.get(id)[0]);
            f.addProperty("load_before_pytorch", load.get(id)[1]);
            f.add("ours", p.json());
            if (theirs.containsKey(id)) {
                f.add("pytorch", theirs.get(id).json());
            }
            figures.add(f);
        });
        report.add("figures", figures);
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("profile.json"), JsonUtils.GSON_PRETTY.toJson(report) + "\n");
        AtomicFiles.writeString(out.resolve("PROFILE.md"), markdown(report, ours, theirs, load));
        System.out.println("wrote " + out.resolve("PROFILE.md") + " and " + out.resolve("profile.json"));
    }

    /**
     * Profiles one workload: its fixture set up, {@value #WARMUP} warm-up calls, then {@code iterations}
     * calls under libtorch's profiler (CPU, shapes recorded), timed by the wall clock.
     *
     * @param w the workload
     * @param iterations the calls profiled
     * @return the profile per call
     * @throws Exception if the workload fails or the trace cannot be read
     */
    static FigureProfile profile(BenchWorkload w, int iterations) throws Exception {
        Object fixture = w.setUp();
        Path trace = Files.createTempFile("profile-" + w.id() + "-", ".json");
        try {
            for (int i = 0; i < WARMUP; i++) {
                w.call(fixture);
            }
            long wall;
            JniUtils.startProfile(false, true, false);
            try {
                long start = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    w.call(fixture);
                }
                wall = System.nanoTime() - start;
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
            return FigureProfile.perOperation(OpProfile.read(trace), wall / 1e6, iterations);
        } finally {
            Files.deleteIfExists(trace);
            w.tearDown(fixture);
        }
    }

    private static Map<String, FigureProfile> runPeer(String python, String script, int threads, int iterations,
            String id, JsonObject info) throws Exception {
        Map<String, FigureProfile> theirs = new LinkedHashMap<>();
        if (!Files.isExecutable(Path.of(python)) || !Files.isRegularFile(Path.of(script))) {
            info.addProperty("status", "not run: " + python + " or " + script + " missing");
            return theirs;
        }
        List<String> cmd = new ArrayList<>(List.of(python, script, "--threads", "" + threads, "--profile",
                "" + iterations, "--only", id));
        String earlier = info.has("status") ? info.get("status").getAsString() : "ok";
        for (JsonObject o : BenchReport.runPython(cmd, info)) {
            theirs.put(o.get("id").getAsString(), FigureProfile.fromJson(o));
        }
        if (!"ok".equals(earlier)) {
            info.addProperty("status", earlier); // the first failure stays reported
        }
        return theirs;
    }

    /** The 1-minute load average ({@code /proc/loadavg}): other work on a shared machine, NaN where unknown. */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String markdown(JsonObject report, Map<String, FigureProfile> ours,
            Map<String, FigureProfile> theirs, Map<String, double[]> load) {
        JsonObject m = report.getAsJsonObject("machine");
        JsonObject peer = report.getAsJsonObject("peer");
        String peerName = peer.has("peer") ? peer.get("peer").getAsString() + " (BLAS: "
                + (peer.has("blas") ? peer.get("blas").getAsString() : "?") + "), " + peer.get("status").getAsString()
                : peer.get("status").getAsString();
        StringBuilder md = new StringBuilder("# Operator profiles\n\n");
        md.append("Each figure's workload profiled operator by operator on both sides, on ")
                .append(m.get("cpu").getAsString()).append(", ").append(m.get("cores").getAsInt())
                .append(" cores, ").append(m.get("os").getAsString()).append(", ")
                .append(report.get("threads").getAsInt()).append(" threads on both sides. Ours (")
                .append(report.get("engine").getAsString()).append(", ").append(report.get("java").getAsString())
                .append(") is the JMH benchmark's own fixture and method (`ProfileReport` sets the benchmark's"
                        + " parameters, calls its setUp and its benchmark method) under libtorch's profiler"
                        + " (DJL's `JniUtils.startProfile`, shapes recorded); PyTorch's (").append(peerName)
                .append(") is the same workload of `torch_bench.py` under `torch.profiler` (CPU, shapes"
                        + " recorded), run right after ours, figure by figure, so that both see the same load. Each side runs ").append(WARMUP).append(" warm-up operations, then ")
                .append(report.get("iterations").getAsInt())
                .append(" profiled. Times are milliseconds per operation of the figure (one training step, one"
                        + " batch encoded or decoded, 16 maps sampled) with the share of that side's wall time. An"
                        + " operator's self time excludes the operators it calls; each side's top ")
                .append(ProfileTable.TOP).append(" operators by self time are listed, the rest summed as other"
                        + " operators; outside operators = wall less all self times (Java, JNI and DJL on our side,"
                        + " the Python interpreter on PyTorch's); wall = the profiled operations' wall time / their"
                        + " number, the profiler on (its cost per operator call counts on both sides). The two"
                        + " sides' libtorch versions name some operators differently. Environment of both sides: ")
                .append(report.getAsJsonObject("environment")).append(". Made by `")
                .append(report.get("command").getAsString()).append("` in ")
                .append(report.get("minutes").getAsDouble())
                .append(" minutes. Each figure gives the machine's 1-minute load average before each side ran"
                        + " (above the number of cores, other work shared them). The sentences under each table"
                        + " were written by hand reading this run; regenerating the file drops them.\n");
        ours.forEach((id, p) -> md.append("\n## ").append(id).append("\n\n")
                .append("1-minute load average ").append(BenchReport.fmt(load.get(id)[0])).append(" before ours, ")
                .append(BenchReport.fmt(load.get(id)[1])).append(" before PyTorch's.\n\n")
                .append(ProfileTable.markdown(p, theirs.get(id))));
        return md.toString();
    }
}
