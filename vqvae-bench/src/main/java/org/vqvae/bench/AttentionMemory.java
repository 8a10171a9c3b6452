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
 * before the pass; the attention score tensor's own size is given beside it.
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
     * @param peakMiB rise of the peak resident set during the pass
     * @param scoresMiB one block's score tensor per chunk, {@code batch x heads x chunk x positions x 4 bytes}
     */
    public record Row(int batch, int chunk, double peakMiB, double scoresMiB) {}

    private AttentionMemory() {}

    /**
     * Measures every batch size and chunk.
     *
     * @param batches batch sizes
     * @param chunks chunk sizes
     * @return one row each, or an empty list where the kernel does not report peak memory
     */
    public static List<Row> measure(int[] batches, int[] chunks) {
        List<Row> rows = new ArrayList<>();
        if (!Files.isWritable(Path.of("/proc/self/clear_refs"))) {
            return rows;
        }
        int size = 32;
        for (int chunk : chunks) {
            for (int batch : batches) {
                Engine.getEngine("PyTorch").setRandomSeed(0);
                PixelSnailConfig config = PixelSnailConfig.defaults(512, 10, size, size).withAttentionChunk(chunk);
                try (NDManager m = NDManager.newBaseManager()) {
                    PixelSnail prior = new PixelSnail(config).initialize(m);
                    NDArray codes = m.randomInteger(0, 512, new Shape(batch, size, size), DataType.INT64);
                    NDArray labels = m.zeros(new Shape(batch), DataType.INT64);
                    pass(prior, codes, labels, m); // allocator warm-up
                    System.gc();
                    long before = status("VmRSS");
                    resetPeak();
                    pass(prior, codes, labels, m);
                    long peak = status("VmHWM");
                    double scores = (double) batch * config.heads() * Math.min(chunk, size * size) * size * size * 4;
                    rows.add(new Row(batch, chunk, (peak - before) / 1024.0, scores / (1 << 20)));
                }
            }
        }
        return rows;
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
        StringBuilder md = new StringBuilder("| batch | attention chunk | peak memory of a training pass | one score tensor |\n"
                + "| ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %.0f MiB | %.1f MiB |%n", r.batch(),
                    r.chunk() >= 1024 ? "none (1024)" : Integer.toString(r.chunk()), r.peakMiB(), r.scoresMiB()));
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
            o.addProperty("peak_mib", Math.round(r.peakMiB()));
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
     */
    public static void main(String[] args) throws IOException {
        Path out = Path.of("bench/attention-memory.json");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[i + 1]);
                case "--threads" -> System.setProperty("ai.djl.pytorch.num_threads", args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        List<Row> rows = measure(new int[] {1, 8, 32}, new int[] {256, 1024});
        System.out.print(markdown(rows));
        AtomicFiles.writeString(out, JsonUtils.GSON_PRETTY.toJson(json(rows)) + "\n");
    }
}
