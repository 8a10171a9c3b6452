package org.vqvae.core.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ai.djl.util.JsonUtils;

import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.io.NpyHeader;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.io.NpyWriter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a source's images once, decoded, resized and cropped, into the shards that {@link
 * ShardSource} reads ({@code vqvae prepare}). Each shard is written into a temporary directory and
 * renamed into place when complete, so a rerun after an interruption writes only the missing
 * shards; {@code index.json} is written last. Unreadable images are left out and listed in the
 * shard's {@code skipped.txt} (or stop the run, strictly).
 */
public final class ShardWriter {

    /** Bytes a shard aims at when no image count is given. */
    public static final long DEFAULT_SHARD_BYTES = 64L << 20;

    /**
     * What a preparation did.
     *
     * @param shards shards in the set
     * @param written shards written by this run (the rest existed)
     * @param images images in the shards
     * @param skipped unreadable images left out
     */
    public record Result(int shards, int written, long images, int skipped) {}

    private ShardWriter() {}

    /**
     * The default number of images per shard: about 64 MB of pixels.
     *
     * @param source the images
     * @return images per shard
     */
    public static int defaultShardImages(ImageSource source) {
        return (int) Math.max(1, Math.min(100_000, DEFAULT_SHARD_BYTES / source.imageBytes()));
    }

    /**
     * Prepares shards, resuming a preparation of the same source into the same directory.
     *
     * @param source the images (an image folder, in its order)
     * @param classes the class names, in label order
     * @param sourceName how the source is named (kept in the index; a rerun must name the same)
     * @param out the shard directory
     * @param shardImages images per shard
     * @param workers decoding threads
     * @param strict stop on an unreadable image instead of leaving it out
     * @param log progress lines
     * @return what was done
     * @throws IOException if an image (strictly) or a file cannot be read or written
     */
    public static Result prepare(ImageSource source, List<String> classes, String sourceName, Path out, int shardImages,
            int workers, boolean strict, PrintStream log) throws IOException {
        begin(source, sourceName, out, shardImages);
        int n = source.size();
        int shards = (n + shardImages - 1) / shardImages;
        JsonArray listed = new JsonArray();
        long images = 0;
        int skipped = 0;
        int written = 0;
        long began = System.nanoTime();
        long decoded = 0;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, workers), r -> {
            Thread t = new Thread(r, "vqvae-prepare");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int s = 0; s < shards; s++) {
                String name = String.format(Locale.ROOT, "shard-%06d", s);
                Path dir = out.resolve(name);
                int from = s * shardImages;
                int to = Math.min(n, from + shardImages);
                if (!Files.isDirectory(dir)) {
                    writeShard(source, from, to, dir, pool, strict);
                    written++;
                    decoded += to - from;
                    double secs = (System.nanoTime() - began) / 1e9;
                    double rate = decoded / secs;
                    long left = n - (long) to;
                    log.printf(Locale.ROOT, "shard %d/%d written (%d images, %.0f images/s, eta %ds)%n", s + 1, shards,
                            to - from, rate, Math.round(left / rate));
                }
                int count = countLines(dir.resolve("files.txt"));
                skipped += countLines(dir.resolve("skipped.txt"));
                if (count > 0) {
                    JsonObject e = new JsonObject();
                    e.addProperty("name", name);
                    e.addProperty("count", count);
                    listed.add(e);
                    images += count;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        JsonObject index = new JsonObject();
        index.addProperty("format", ShardSource.FORMAT);
        index.addProperty("version", 1);
        index.addProperty("source", sourceName);
        index.addProperty("count", images);
        index.addProperty("channels", source.channels());
        index.addProperty("height", source.height());
        index.addProperty("width", source.width());
        index.addProperty("skipped", skipped);
        JsonArray cls = new JsonArray();
        classes.forEach(cls::add);
        index.add("classes", cls);
        index.add("shards", listed);
        AtomicFiles.writeString(out.resolve("index.json"), JsonUtils.GSON_PRETTY.toJson(index) + "\n");
        return new Result(listed.size(), written, images, skipped);
    }

    /**
     * Checks a preparation before any shard is written: the shard size, and that {@code out} holds
     * no shards of another source or size ({@code prepare.json}, written on first use); removes the
     * temporary directories an interrupted run left. {@link #prepare} starts with it; a
     * distributed preparation calls it, then {@link #writeShard} per shard anywhere, then {@link
     * #prepare} to write the index.
     *
     * @param source the images
     * @param sourceName how the source is named
     * @param out the shard directory
     * @param shardImages images per shard
     * @throws IOException if {@code out} cannot be written
     */
    public static void begin(ImageSource source, String sourceName, Path out, int shardImages) throws IOException {
        if (shardImages < 1) {
            throw new IllegalArgumentException("--shard-images must be >= 1, got " + shardImages);
        }
        if ((long) shardImages * source.imageBytes() > Integer.MAX_VALUE - 4096) {
            throw new IllegalArgumentException("--shard-images " + shardImages + " makes shards over 2 GiB");
        }
        Files.createDirectories(out);
        JsonObject plan = new JsonObject();
        plan.addProperty("source", sourceName);
        plan.addProperty("count", source.size());
        plan.addProperty("channels", source.channels());
        plan.addProperty("height", source.height());
        plan.addProperty("width", source.width());
        plan.addProperty("shard_images", shardImages);
        checkPlan(out.resolve("prepare.json"), plan);
        removeStaleTemporaries(out);
    }

    /**
     * Writes one shard as {@link #prepare} does, unless it exists: into a temporary directory
     * renamed into place when complete, so that of two attempts at the same shard exactly one
     * lands.
     *
     * @param source the images
     * @param shard the shard's number
     * @param shardImages images per shard
     * @param out the shard directory
     * @param workers decoding threads
     * @param strict stop on an unreadable image instead of leaving it out
     * @return whether this call wrote the shard
     * @throws IOException if an image (strictly) or a file cannot be read or written
     */
    public static boolean writeShard(ImageSource source, int shard, int shardImages, Path out, int workers,
            boolean strict) throws IOException {
        Path dir = out.resolve(String.format(Locale.ROOT, "shard-%06d", shard));
        if (Files.isDirectory(dir)) {
            return false;
        }
        int from = Math.multiplyExact(shard, shardImages);
        int to = Math.min(source.size(), from + shardImages);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, workers), r -> {
            Thread t = new Thread(r, "vqvae-prepare");
            t.setDaemon(true);
            return t;
        });
        try {
            writeShard(source, from, to, dir, pool, strict);
            return true;
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            if (Files.isDirectory(dir)) {
                return false; // another attempt finished it first
            }
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void checkPlan(Path file, JsonObject plan) throws IOException {
        if (Files.isRegularFile(file)) {
            JsonObject before = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            if (!before.equals(plan)) {
                throw new IllegalArgumentException(file.getParent() + " holds shards of another preparation ("
                        + before + "); use a new --out");
            }
        } else {
            AtomicFiles.writeString(file, JsonUtils.GSON_PRETTY.toJson(plan) + "\n");
        }
    }

    /** Removes the temporary shard directories that an interrupted run left behind. */
    private static void removeStaleTemporaries(Path out) throws IOException {
        List<Path> stale;
        try (var list = Files.list(out)) {
            stale = list.filter(p -> p.getFileName().toString().matches("\\.shard-\\d+\\.tmp.*")).toList();
        }
        for (Path p : stale) {
            AtomicFiles.deleteTree(p);
        }
    }


    private static void writeShard(ImageSource source, int from, int to, Path dir, ExecutorService pool, boolean strict)
            throws IOException {
        int per = source.imageBytes();
        List<Future<byte[]>> futures = new ArrayList<>();
        for (int i = from; i < to; i++) {
            int index = i;
            futures.add(pool.submit(() -> {
                byte[] px = new byte[per];
                source.read(index, px, 0);
                return px;
            }));
        }
        Path tmp = Files.createTempDirectory(dir.getParent(), "." + dir.getFileName() + ".tmp");
        try {
            byte[] pixels = new byte[(to - from) * per];
            List<Integer> labels = new ArrayList<>();
            StringBuilder files = new StringBuilder();
            StringBuilder skipped = new StringBuilder();
            for (int i = from; i < to; i++) {
                byte[] px;
                try {
                    px = futures.get(i - from).get();
                } catch (ExecutionException e) {
                    if (strict || !(e.getCause() instanceof IOException)) {
                        throw new IOException(e.getCause().getMessage(), e.getCause());
                    }
                    skipped.append(source.describe(i)).append('\t').append(e.getCause().getMessage()).append('\n');
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                System.arraycopy(px, 0, pixels, labels.size() * per, per);
                labels.add(source.label(i));
                files.append(source.describe(i)).append('\n');
            }
            int count = labels.size();
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp.resolve("images.npy")), 1 << 20)) {
                os.write(NpyHeader.encode(NpyType.U1, new long[] {count, source.channels(), source.height(),
                        source.width()}));
                os.write(pixels, 0, count * per);
            }
            try (NpyWriter lw = NpyWriter.open(tmp.resolve("labels.npy"), NpyType.I4, count)) {
                lw.append(labels.stream().mapToLong(Integer::longValue).toArray(), 0, count);
                lw.commit();
            }
            Files.writeString(tmp.resolve("files.txt"), files, StandardCharsets.UTF_8);
            if (skipped.length() > 0) {
                Files.writeString(tmp.resolve("skipped.txt"), skipped, StandardCharsets.UTF_8);
            }
            Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            for (Future<byte[]> f : futures) {
                f.cancel(true);
            }
            AtomicFiles.deleteTree(tmp);
        }
    }

    private static int countLines(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return (int) lines.count();
        }
    }
}
