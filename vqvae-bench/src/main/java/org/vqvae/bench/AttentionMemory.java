package org.vqvae.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.vqvae.core.io.AtomicFiles;
import org.vqvae.prior.GatedPixelCnn;
import org.vqvae.prior.PixelSnail;
import org.vqvae.prior.PixelSnailConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Peak memory of a PixelSNAIL training pass (forward and backward) over a 32x32 code map (1024
 * positions, the VQ-VAE-2 top level at 256x256) per batch size, with the attention's queries in
 * chunks of 256 (the default) and unchunked. Measured on Linux as the rise of the process's peak
 * resident set ({@code VmHWM}, reset through {@code /proc/self/clear_refs}) over the resident set
 * before the pass, each in a fresh JVM; the attention score tensor's own size is given beside it.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.AttentionMemory \
 *     --out bench/attention-memory.json
 * </pre>
 */
public final class AttentionMemory {

    /**
     * One measurement.
     *
     * @param batch maps per pass
     * @param chunk queries per attention chunk
     * @param inferenceMiB rise of the peak resident set during a forward pass without gradients
     * @param peakMiB rise of the peak resident set during a training pass (forward and backward)
     * @param scoresMiB one block's score tensor per chunk, {@code batch x heads x chunk x positions x 4 bytes}
     */
    public record Row(int batch, int chunk, double inferenceMiB, double peakMiB, double scoresMiB) {}

    private AttentionMemory() {}

    /**
     * Measures every batch size and chunk, each in a fresh JVM with glibc's default allocator
     * settings (so freed memory leaves the resident set and the peak is the pass's own).
     *
     * @param batches batch sizes
     * @param chunks chunk sizes
     * @param threads intra-op threads
     * @return one row each, or an empty list where the kernel does not report peak memory
     * @throws IOException if a measuring process cannot start
     * @throws InterruptedException if interrupted
     */
    public static List<Row> measure(int[] batches, int[] chunks, int threads) throws IOException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        if (!Files.isWritable(Path.of("/proc/self/clear_refs"))) {
            return rows;
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int chunk : chunks) {
            for (int batch : batches) {
                ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                        "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=" + threads,
                        "-Dai.djl.pytorch.num_interop_threads=1", AttentionMemory.class.getName(), "--one",
                        Integer.toString(batch), Integer.toString(chunk));
                pb.environment().keySet().removeIf(k -> k.startsWith("MALLOC_"));
                Process p = pb.redirectErrorStream(true).start();
                String last = null;
                try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        last = line;
                    }
                }
                if (p.waitFor() != 0 || last == null || !last.startsWith("peak ")) {
                    throw new IOException("measuring batch " + batch + ", chunk " + chunk + " failed: " + last);
                }
                String[] peaks = last.substring(5).split(" ");
                double scores = (double) batch * 2 * Math.min(chunk, SIZE * SIZE) * SIZE * SIZE * 4;
                rows.add(new Row(batch, chunk, Double.parseDouble(peaks[0]), Double.parseDouble(peaks[1]),
                        scores / (1 << 20)));
            }
        }
        return rows;
    }

    private static final int SIZE = 32;

    /** One measurement in this process: a warm-up pass of batch 1, then an inference and a training pass. */
    private static double[] measureHere(int batch, int chunk) {
        Engine.getEngine("PyTorch").setRandomSeed(0);
        PixelSnailConfig config = PixelSnailConfig.defaults(512, 10, SIZE, SIZE).withAttentionChunk(chunk);
        try (NDManager m = NDManager.newBaseManager()) {
            PixelSnail prior = new PixelSnail(config).initialize(m);
            NDArray warm = m.randomInteger(0, 512, new Shape(1, SIZE, SIZE), DataType.INT64);
            pass(prior, warm, m.zeros(new Shape(1), DataType.INT64), m); // kernels and thread pools start
            NDArray codes = m.randomInteger(0, 512, new Shape(batch, SIZE, SIZE), DataType.INT64);
            NDArray labels = m.zeros(new Shape(batch), DataType.INT64);
            System.gc();
            long before = status("VmRSS");
            resetPeak();
            try (NDManager step = m.newSubManager()) {
                codes.tempAttach(step);
                labels.tempAttach(step);
                prior.logits(codes, labels).getFloat(0, 0, 0, 0);
            }
            double inference = (status("VmHWM") - before) / 1024.0;
            System.gc();
            before = status("VmRSS");
            resetPeak();
            pass(prior, codes, labels, m);
            return new double[] {inference, (status("VmHWM") - before) / 1024.0};
        }
    }

    private static void pass(PixelSnail prior, NDArray codes, NDArray labels, NDManager m) {
        try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            codes.tempAttach(step);
            labels.tempAttach(step);
            NDArray logits = prior.forward(new ParameterStore(step, false), new NDList(codes, labels), true)
                    .singletonOrThrow();
            gc.backward(GatedPixelCnn.nll(logits, codes));
        }
    }

    private static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException e) {
            throw new IllegalStateException("cannot reset the peak resident set", e);
        }
    }

    /** A {@code /proc/self/status} figure in KiB. */
    private static long status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException(key + " missing from /proc/self/status");
    }

    /**
     * Renders rows as a Markdown table.
     *
     * @param rows the measurements
     * @return the table
     */
    public static String markdown(List<Row> rows) {
        StringBuilder md = new StringBuilder("| batch | attention chunk | peak, forward only | peak, training pass"
                + " | one score tensor |\n| ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %.0f MiB | %.0f MiB | %.1f MiB |%n", r.batch(),
                    r.chunk() >= 1024 ? "none (1024)" : Integer.toString(r.chunk()), Math.max(0, r.inferenceMiB()),
                    Math.max(0, r.peakMiB()),
                    r.scoresMiB()));
        }
        return md.toString();
    }

    /**
     * Renders rows as JSON.
     *
     * @param rows the measurements
     * @return a JSON array
     */
    public static JsonArray json(List<Row> rows) {
        JsonArray a = new JsonArray();
        for (Row r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty("batch", r.batch());
            o.addProperty("chunk", r.chunk());
            o.addProperty("forward_peak_mib", Math.round(r.inferenceMiB()));
            o.addProperty("training_peak_mib", Math.round(r.peakMiB()));
            o.addProperty("score_tensor_mib", Math.round(r.scoresMiB() * 10) / 10.0);
            a.add(o);
        }
        return a;
    }

    /**
     * Measures batches 1, 8, 32 with chunks 256 and 1024 and writes JSON.
     *
     * @param args {@code --out FILE --threads T}
     * @throws IOException on failure
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 3 && args[0].equals("--one")) {
            double[] peaks = measureHere(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            System.out.println("peak " + peaks[0] + " " + peaks[1]);
            return;
        }
        Path out = Path.of("bench/attention-memory.json");
        int threads = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Row> rows = measure(new int[] {1, 8, 32}, new int[] {256, 1024}, threads);
        System.out.print(markdown(rows));
        AtomicFiles.writeString(out, JsonUtils.GSON_PRETTY.toJson(json(rows)) + "\n");
    }
}
