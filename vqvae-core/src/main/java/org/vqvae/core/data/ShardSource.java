package org.vqvae.core.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.vqvae.core.io.MappedNpy;
import org.vqvae.core.io.NpyHeader;
import org.vqvae.core.io.NpyType;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Images prepared by {@link ShardWriter} ({@code vqvae prepare}), read from memory-mapped shards.
 *
 * <p>The layout, readable from Python with NumPy alone:
 * <pre>
 *   DIR/index.json              {"format": "vqvae-shards", "version": 1, "count": N, "channels": C,
 *                                "height": H, "width": W, "classes": [...], "shards": [{"name", "count"}...]}
 *   DIR/shard-000000/images.npy uint8 [n, C, H, W] (PyTorch's layout: torch.from_numpy takes it as is)
 *   DIR/shard-000000/labels.npy int32 [n]
 *   DIR/shard-000000/files.txt  the source file of each image, one per line
 * </pre>
 * Images are numbered through the shards in order. Reading an image is one copy out of the page
 * cache: no decoding, no resizing.
 */
public final class ShardSource implements ImageSource {

    /** The {@code format} value of {@code index.json}. */
    public static final String FORMAT = "vqvae-shards";

    private final Path dir;
    private final int channels;
    private final int height;
    private final int width;
    private final List<String> classes;
    private final long[] starts;
    private final MappedByteBuffer[] images;
    private final int[] dataOffsets;
    private final int[] labels;
    private final String[] shardNames;

    private ShardSource(Path dir, int channels, int height, int width, List<String> classes, long[] starts,
            MappedByteBuffer[] images, int[] dataOffsets, int[] labels, String[] shardNames) {
        this.dir = dir;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.starts = starts;
        this.images = images;
        this.dataOffsets = dataOffsets;
        this.labels = labels;
        this.shardNames = shardNames;
    }

    /**
     * Opens prepared shards.
     *
     * @param dir the directory {@code vqvae prepare} wrote
     * @return the source
     * @throws IOException if the index or a shard is missing or malformed
     */
    public static ShardSource open(Path dir) throws IOException {
        Path indexFile = dir.resolve("index.json");
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "shard directory does not exist");
        }
        if (!Files.isRegularFile(indexFile)) {
            throw new NoSuchFileException(indexFile.toString(), null,
                    "no index.json: not prepared shards, or 'vqvae prepare' has not finished");
        }
        JsonObject index;
        try {
            index = JsonParser.parseString(Files.readString(indexFile, StandardCharsets.UTF_8)).getAsJsonObject();
            if (!FORMAT.equals(index.get("format").getAsString())) {
                throw new IOException(indexFile + " is not a " + FORMAT + " index");
            }
            int c = index.get("channels").getAsInt();
            int h = index.get("height").getAsInt();
            int w = index.get("width").getAsInt();
            List<String> classes = new ArrayList<>();
            for (JsonElement e : index.getAsJsonArray("classes")) {
                classes.add(e.getAsString());
            }
            JsonArray shards = index.getAsJsonArray("shards");
            int n = shards.size();
            long[] starts = new long[n + 1];
            MappedByteBuffer[] maps = new MappedByteBuffer[n];
            int[] offsets = new int[n];
            String[] names = new String[n];
            int[][] shardLabels = new int[n][];
            for (int s = 0; s < n; s++) {
                JsonObject shard = shards.get(s).getAsJsonObject();
                names[s] = shard.get("name").getAsString();
                int count = shard.get("count").getAsInt();
                Path sd = dir.resolve(names[s]);
                Path img = sd.resolve("images.npy");
                try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ)) {
                    NpyHeader header = NpyHeader.read(img, ch);
                    require(header, NpyType.U1, new long[] {count, c, h, w}, img);
                    long bytes = header.dataOffset() + (long) count * c * h * w;
                    if (ch.size() < bytes) {
                        throw new IOException(img + " is truncated: " + ch.size() + " bytes, " + bytes + " expected");
                    }
                    if (bytes > Integer.MAX_VALUE) {
                        throw new IOException(img + " is larger than 2 GiB: prepare it with fewer images per shard");
                    }
                    maps[s] = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes);
                    offsets[s] = (int) header.dataOffset();
                }
                shardLabels[s] = readLabels(sd.resolve("labels.npy"), count);
                starts[s + 1] = starts[s] + count;
            }
            if (starts[n] > Integer.MAX_VALUE) {
                throw new IOException(dir + " holds more than 2^31 images");
            }
            int[] labels = new int[(int) starts[n]];
            for (int s = 0; s < n; s++) {
                System.arraycopy(shardLabels[s], 0, labels, (int) starts[s], shardLabels[s].length);
            }
            return new ShardSource(dir, c, h, w, List.copyOf(classes), starts, maps, offsets, labels, names);
        } catch (RuntimeException e) {
            throw new IOException(indexFile + " is malformed: " + e.getMessage(), e);
        }
    }

    private static int[] readLabels(Path file, int count) throws IOException {
        MappedNpy labels = MappedNpy.open(file);
        if (labels.shape().length != 1 || labels.count() != count) {
            throw new IOException(file + " holds " + Arrays.toString(labels.shape()) + " labels, expected [" + count + "]");
        }
        long[] values = labels.readAll();
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }

    private static void require(NpyHeader header, NpyType type, long[] shape, Path file) throws IOException {
        if (header.type() != type || !Arrays.equals(header.shape(), shape)) {
            throw new IOException(file + " holds " + header.type().descr() + " " + Arrays.toString(header.shape())
                    + ", expected " + type.descr() + " " + Arrays.toString(shape));
        }
    }

    /** The class names, in label order. */
    public List<String> classes() {
        return classes;
    }

    /** The directory. */
    public Path directory() {
        return dir;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void read(int index, byte[] dst, int offset) {
        int s = shardOf(index);
        int per = imageBytes();
        int at = dataOffsets[s] + (int) (index - starts[s]) * per;
        images[s].get(at, dst, offset, per); // absolute: safe from many threads
    }

    @Override
    public String describe(int index) {
        int s = shardOf(index);
        return dir.resolve(shardNames[s]) + " image " + (index - starts[s]);
    }

    private int shardOf(int index) {
        if (index < 0 || index >= labels.length) {
            throw new IndexOutOfBoundsException("image " + index + " outside [0, " + labels.length + ")");
        }
        int s = Arrays.binarySearch(starts, index);
        return s >= 0 ? s : -s - 2;
    }
}
