package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.vqvae.core.data.BatchLoader;
import org.vqvae.core.data.BatchPlan;
import org.vqvae.core.data.ImageFolderSource;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.data.ShardSource;
import org.vqvae.core.data.ShardWriter;
import org.vqvae.core.io.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Images per second of the training data pipeline: an image folder (decode, {@code Resize} and
 * {@code CenterCrop}) and the shards prepared from it, read by {@link BatchLoader} into batches
 * converted to the float {@code [B, C, S, S]} array in [-0.5, 0.5] that training takes, with 0, 1
 * and 2 decoding threads; and the rate at which {@link ShardWriter} prepares the shards. The
 * counterpart is {@code vqvae-bench/python/torch_loader_bench.py} (torchvision's ImageFolder and
 * DataLoader on the same folder).
 *
 * <p>A plain timer rather than JMH: each figure needs a fresh pipeline (threads, prefetch queue)
 * warmed by whole batches, all of them share a fixture that takes a minute to build (the folder and
 * its shards), and the Python side is timed the same way: {@code warmup} batches, then the time to
 * receive {@code batches} more.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.LoaderBenchmark \
 *     --folder DIR | --count 512 [--photos DIR]   [--mode short|long] [--threads 2]
 * </pre>
 */
public final class LoaderBenchmark {

    /** Name by which {@code --only} selects this benchmark in {@link BenchReport}, as JMH's names go. */
    public static final String NAME = "org.vqvae.bench.LoaderBenchmark.load";

    /**
     * What to measure.
     *
     * @param size the side of the square images
     * @param batch images per batch
     * @param workers the decoding thread counts to measure
     * @param warmup batches read before timing
     * @param batches batches timed
     * @param prepareWorkers decoding threads when preparing the shards
     * @param seed the shuffle's seed
     */
    public record Settings(int size, int batch, int[] workers, int warmup, int batches, int prepareWorkers,
            long seed) {

        /**
         * The report's settings: 256x256 batches of 128, 2 + 8 batches short, 4 + 32 long.
         *
         * @param mode short or long
         * @param threads the machine threads given to the benchmarks (prepares with as many)
         * @return the settings
         */
        public static Settings of(String mode, int threads) {
            boolean shortMode = mode.equals("short");
            return new Settings(256, 128, new int[] {0, 1, 2}, shortMode ? 2 : 4, shortMode ? 8 : 32, threads, 1);
        }
    }

    /**
     * One measured pipeline.
     *
     * @param id e.g. {@code loader-folder-w1}, as the Python side names its figure
     * @param source {@code folder} or {@code shards}
     * @param workers decoding threads
     * @param images images timed
     * @param seconds time to receive them
     * @param shape the shape of the last batch's array
     */
    public record Figure(String id, String source, int workers, long images, double seconds, long[] shape) {

        /** Images per second. */
        public double imagesPerSecond() {
            return images / seconds;
        }

        /** As one JSON object, the form the Python side prints. */
        JsonObject json() {
            JsonObject o = new JsonObject();
            o.addProperty("id", id);
            o.addProperty("source", source);
            o.addProperty("workers", workers);
            o.addProperty("images", images);
            o.addProperty("seconds", seconds);
            o.addProperty("images_per_s", imagesPerSecond());
            JsonArray dims = new JsonArray();
            Arrays.stream(shape).forEach(dims::add);
            o.add("shape", dims);
            return o;
        }
    }

    /**
     * The shards' preparation.
     *
     * @param images images written
     * @param workers decoding threads
     * @param seconds the time {@link ShardWriter#prepare} took
     */
    public record Prepare(long images, int workers, double seconds) {

        /** Images per second. */
        public double imagesPerSecond() {
            return images / seconds;
        }
    }

    /**
     * What a run measured.
     *
     * @param settings what was asked
     * @param images images in the folder
     * @param prepare the shards' preparation
     * @param figures the pipelines, folder first
     */
    public record Results(Settings settings, int images, Prepare prepare, List<Figure> figures) {}

    private LoaderBenchmark() {}

    /**
     * Measures the folder, prepares shards of it into {@code shards} (which must not exist) and
     * measures them.
     *
     * @param folder an image folder
     * @param shards where to write the shards
     * @param s what to measure
     * @param log progress lines
     * @return the figures
     * @throws IOException if an image or shard cannot be read or written
     */
    public static Results run(Path folder, Path shards, Settings s, PrintStream log) throws IOException {
        if (Files.exists(shards)) {
            throw new IllegalArgumentException(shards + " exists: the preparation would only resume it");
        }
        ImageFolderSource images = ImageFolderSource.open(folder, s.size(), 3);
        List<Figure> figures = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (int w : s.workers()) {
                figures.add(log(log, measure("loader-folder-w" + w, "folder", images, w, s, manager)));
            }
            long began = System.nanoTime();
            ShardWriter.Result written = ShardWriter.prepare(images, images.classes(), folder.toString(), shards,
                    ShardWriter.defaultShardImages(images), s.prepareWorkers(), true, new PrintStream(OutputStream.nullOutputStream()));
            Prepare prepare = new Prepare(written.images(), s.prepareWorkers(), (System.nanoTime() - began) / 1e9);
            log.printf(Locale.ROOT, "  prepare: %d images in %.1f s, %.0f images/s with %d threads%n", prepare.images(),
                    prepare.seconds(), prepare.imagesPerSecond(), prepare.workers());
            ShardSource prepared = ShardSource.open(shards);
            for (int w : s.workers()) {
                figures.add(log(log, measure("loader-shards-w" + w, "shards", prepared, w, s, manager)));
            }
            return new Results(s, images.size(), prepare, figures);
        }
    }

    private static Figure log(PrintStream log, Figure f) {
        log.printf(Locale.ROOT, "  %s: %.0f images/s (%d images in %.2f s), batches %s%n", f.id(), f.imagesPerSecond(),
                f.images(), f.seconds(), Arrays.toString(f.shape()));
        return f;
    }

    /**
     * Reads {@code warmup} batches, then times {@code batches} more, each made into the float array
     * training takes: the pipeline as the trainer runs it (prefetching as many batches as it does).
     */
    static Figure measure(String id, String sourceName, ImageSource source, int workers, Settings s, NDManager manager)
            throws IOException {
        BatchPlan plan = BatchPlan.shuffled(source.size(), s.batch(), s.seed());
        long total = s.warmup() + (long) s.batches();
        long[] shape = null;
        long began = 0;
        try (BatchLoader loader = new BatchLoader(source, plan, 0, total, workers, Math.max(2, workers))) {
            for (long b = 0; b < total; b++) {
                if (b == s.warmup()) {
                    began = System.nanoTime();
                }
                ImageSet batch = loader.next();
                try (NDArray x = batch.toImages(manager)) {
                    shape = x.getShape().getShape();
                }
            }
        }
        return new Figure(id, sourceName, workers,
                (long) s.batches() * s.batch(), (System.nanoTime() - began) / 1e9, shape);
    }

    /**
     * Runs the benchmark on a folder, or on one written by {@link PhotoFolder} into a temporary
     * directory (deleted afterwards), and prints one JSON line per figure.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path folder = null;
        Path photos = null;
        int count = 512;
        String mode = "short";
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--folder" -> folder = Path.of(v);
                case "--photos" -> photos = Path.of(v);
                case "--count" -> count = Integer.parseInt(v);
                case "--mode" -> mode = v;
                case "--threads" -> threads = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Path work = Files.createTempDirectory("vqvae-loader");
        try {
            if (folder == null) {
                folder = work.resolve("photos");
                PhotoFolder.write(folder, count, photos == null ? List.of() : PhotoFolder.readSources(photos), 1);
            }
            Results r = run(folder, work.resolve("shards"), Settings.of(mode, threads), System.out);
            for (Figure f : r.figures()) {
                System.out.println(f.json());
            }
        } finally {
            AtomicFiles.deleteTree(work);
        }
    }
}
