package org.vqvae.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.data.SkippingSource;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the driver and every executor open the same two splits as the single-machine commands do
 * ({@code --data SPEC [--val-data SPEC]}, read at the model's size and channels). Image folders are
 * indexed once on the driver and broadcast ({@link HadoopImageFolder}: any Hadoop file system);
 * the other kinds (shards, npy, IDX, CIFAR-10, the embedded sets) are opened by {@link DataSpec}
 * from storage every executor sees. Each JVM opens a plan once.
 */
public final class DataPlan implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Map<String, DataSpec.Splits<ImageSource>> OPENED = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();
    private final String data;
    private final String valData;
    private final int size;
    private final boolean strict;
    private final int channels;
    private final Broadcast<HadoopImageFolder> folder;
    private final Broadcast<HadoopImageFolder> heldOutFolder;

    private DataPlan(String data, String valData, int size, boolean strict, int channels,
            Broadcast<HadoopImageFolder> folder, Broadcast<HadoopImageFolder> heldOutFolder) {
        this.data = data;
        this.valData = valData;
        this.size = size;
        this.strict = strict;
        this.channels = channels;
        this.folder = folder;
        this.heldOutFolder = heldOutFolder;
    }

    /**
     * Plans the splits: indexes image folders (through Hadoop) and broadcasts their index.
     *
     * @param data the data specification
     * @param valData the held-out images' specification, or null for the data's own split
     * @param size side image folders are brought to
     * @param strict whether an unreadable image fails the job instead of being skipped
     * @param channels channels image folders are decoded to
     * @param sc the Spark context
     * @return the plan
     * @throws IOException if a folder is missing or empty
     */
    public static DataPlan of(String data, String valData, int size, boolean strict, int channels,
            JavaSparkContext sc) throws IOException {
        DataSpec spec = DataSpec.parse(data); // refuses unknown kinds
        if (valData != null) {
            DataSpec.parse(valData);
        }
        HadoopFiles files = HadoopFiles.of(sc.hadoopConfiguration());
        HadoopImageFolder all = null;
        HadoopImageFolder held = null;
        if (spec.kind() == DataSpec.Kind.FOLDER) {
            all = HadoopImageFolder.open(folderRoot(data), size, channels, null, files);
            if (valData != null && DataSpec.parse(valData).kind() == DataSpec.Kind.FOLDER) {
                held = HadoopImageFolder.open(folderRoot(valData), size, channels, all.classes(), files);
            }
        }
        return new DataPlan(data, valData, size, strict, channels, all == null ? null : sc.broadcast(all),
                held == null ? null : sc.broadcast(held));
    }

    /** The directory of a {@code folder:DIR} specification, as written (a URI keeps its {@code //}). */
    static String folderRoot(String spec) {
        return spec.substring(spec.indexOf(':') + 1);
    }

    /**
     * Opens both splits in this JVM (once; later calls return the same sources).
     *
     * @return the training and held-out images
     * @throws IOException if the data is unreadable
     */
    public DataSpec.Splits<ImageSource> open() throws IOException {
        DataSpec.Splits<ImageSource> s = OPENED.get(id);
        if (s == null) {
            synchronized (OPENED) {
                s = OPENED.get(id);
                if (s == null) {
                    s = openNow();
                    OPENED.put(id, s);
                }
            }
        }
        return s;
    }

    private DataSpec.Splits<ImageSource> openNow() throws IOException {
        if (folder == null) {
            DataSpec spec = spec(data);
            return valData == null ? spec.open() : spec.open(spec(valData));
        }
        HadoopImageFolder all = folder.value();
        ImageSource source = skipping(all);
        if (valData == null) {
            return everyTenth(source, all.classes(), all.root());
        }
        ImageSource test = heldOutFolder != null ? skipping(heldOutFolder.value())
                : spec(valData).openHeldOut(all.classes());
        if (test.imageBytes() != source.imageBytes()) {
            throw new IllegalArgumentException("held-out data " + valData + " holds " + test.shapeText()
                    + " images, the training data " + source.shapeText());
        }
        return new DataSpec.Splits<>(source, test, all.classes());
    }

    private ImageSource skipping(HadoopImageFolder f) {
        return strict ? f : new SkippingSource(f, System.err);
    }

    private DataSpec spec(String text) {
        return DataSpec.parse(text).withImages(size, strict).withChannels(channels);
    }

    /** {@link DataSpec#open()}'s split of a streamed set: every tenth image held out. */
    private static DataSpec.Splits<ImageSource> everyTenth(ImageSource all, List<String> classes, String name)
            throws IOException {
        int n = all.size();
        if (n < 2) {
            throw new IOException(name + " has too few images to hold out a test split (" + n + ")");
        }
        int[] train = new int[n - n / 10];
        int[] test = new int[n / 10];
        for (int i = 0, a = 0, b = 0; i < n; i++) {
            if (i % 10 == 9) {
                test[b++] = i;
            } else {
                train[a++] = i;
            }
        }
        if (test.length == 0) {
            test = new int[] {n - 1};
            train = java.util.Arrays.copyOf(train, n - 1);
        }
        return new DataSpec.Splits<>(all.subset(train), all.subset(test), classes);
    }
}
