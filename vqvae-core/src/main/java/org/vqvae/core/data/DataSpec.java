package org.vqvae.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where images come from, as written on the command line: {@code embedded} (the MNIST test set
 * shipped inside this library), {@code mnist:DIR}, {@code fashion-mnist:DIR}, {@code cifar10:DIR},
 * {@code folder:DIR} (one sub-folder per class), {@code shards:DIR} (what {@code vqvae prepare}
 * wrote) or {@code npy:FILE} (uint8 images in a NumPy file, {@link NpyImageSource}). {@link #open}
 * gives both splits as {@link ImageSource}s: the small sets are read into memory, image folders,
 * shards and NumPy files are read an image at a time as batches need them.
 *
 * @param kind the dataset kind
 * @param directory the directory for directory-backed kinds, the file for {@code npy:FILE}, else null
 * @param imageSize the square size image folders are resized and cropped to
 * @param strict whether an unreadable image in a folder stops the run (otherwise it is skipped)
 * @param channels the channels image folders are decoded to (3, or 1 for a greyscale model)
 */
public record DataSpec(Kind kind, Path directory, int imageSize, boolean strict, int channels) {

    /** The dataset kinds. */
    public enum Kind {
        /** The 10,000 MNIST test images shipped in the jar: 9,000 train, 1,000 held out. */
        EMBEDDED,
        /** MNIST IDX files (raw or .gz) in a directory. */
        MNIST,
        /** Fashion-MNIST IDX files (raw or .gz) in a directory. */
        FASHION_MNIST,
        /** CIFAR-10 binary batches in a directory. */
        CIFAR10,
        /** An image folder, one sub-folder per class. */
        FOLDER,
        /** Images prepared into shards by {@code vqvae prepare}. */
        SHARDS,
        /** The embedded sample as 32x32 colour images (tinted digits on coloured backgrounds). */
        COLOURED_DIGITS,
        /** uint8 images [N, H, W, C] or [N, H, W] in one memory-mapped .npy file. */
        NPY
    }

    /**
     * Returns a copy with the size image folders are brought to and the strictness about
     * unreadable images.
     *
     * @param size square side in pixels
     * @param strictImages fail on an unreadable image instead of skipping it
     * @return the new specification
     */
    public DataSpec withImages(int size, boolean strictImages) {
        return new DataSpec(kind, directory, size, strictImages, channels);
    }

    /**
     * Returns a copy whose image folders are decoded to a number of channels.
     *
     * @param imageChannels 3 (RGB) or 1 (grey)
     * @return the new specification
     */
    public DataSpec withChannels(int imageChannels) {
        return new DataSpec(kind, directory, imageSize, strict, imageChannels);
    }

    /** Whether images are read from files as batches need them (folders, shards, .npy), not held in memory. */
    public boolean streamed() {
        return kind == Kind.FOLDER || kind == Kind.SHARDS || kind == Kind.NPY;
    }

    /** Images of the embedded sample used for training; the rest are held out. */
    public static final int EMBEDDED_TRAIN = 9000;

    private static final String EMBEDDED_IMAGES = "mnist-t10k-images-idx3-ubyte.gz";
    private static final String EMBEDDED_LABELS = "mnist-t10k-labels-idx1-ubyte.gz";

    /**
     * Parses a data specification.
     *
     * @param text {@code embedded}, {@code mnist:DIR} or {@code fashion-mnist:DIR}
     * @return the specification
     * @throws IllegalArgumentException if the text names no known kind or lacks a directory
     */
    public static DataSpec parse(String text) {
        if (text == null || text.isBlank() || text.equals("embedded") || text.equals("mnist-sample")) {
            return new DataSpec(Kind.EMBEDDED, null, 0, false, 1);
        }
        if (text.equals("coloured-digits") || text.equals("colored-digits")) {
            return new DataSpec(Kind.COLOURED_DIGITS, null, 0, false, 3);
        }
        int colon = text.indexOf(':');
        String kind = (colon < 0 ? text : text.substring(0, colon)).toLowerCase(Locale.ROOT);
        String dir = colon < 0 ? "" : text.substring(colon + 1);
        Kind k = switch (kind) {
            case "mnist" -> Kind.MNIST;
            case "fashion-mnist", "fashion_mnist", "fashionmnist" -> Kind.FASHION_MNIST;
            case "cifar10", "cifar-10" -> Kind.CIFAR10;
            case "folder", "imagefolder" -> Kind.FOLDER;
            case "shards" -> Kind.SHARDS;
            case "npy" -> Kind.NPY;
            default -> throw new IllegalArgumentException(
                    "unknown data '" + text + "': use embedded, coloured-digits, mnist:DIR, fashion-mnist:DIR,"
                            + " cifar10:DIR, folder:DIR, shards:DIR or npy:FILE");
        };
        if (dir.isBlank() && k == Kind.NPY) {
            throw new IllegalArgumentException("data '" + text + "' needs a file, e.g. npy:/path/to/images.npy");
        }
        if (dir.isBlank()) {
            throw new IllegalArgumentException("data '" + text + "' needs a directory, e.g. " + kind + ":/path/to/dir");
        }
        return new DataSpec(k, Path.of(dir), 256, false, k == Kind.MNIST || k == Kind.FASHION_MNIST ? 1 : 3);
    }

    /**
     * Opens the training and held-out images: image folders, shards and {@code .npy} files hold out
     * every tenth image (by their sorted or stored order), the other sets have their own test split.
     *
     * @return both splits
     * @throws IOException if a file is missing, unreadable or malformed
     */
    public Splits<ImageSource> open() throws IOException {
        if (streamed()) {
            Indexed all = openIndexed(null);
            int n = all.source().size();
            if (n < 2) {
                throw new IOException(directory + " has too few images to hold out a test split (" + n + ")");
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
            return new Splits<>(all.source().subset(train), all.source().subset(test), all.classes());
        }
        Splits<ImageSet> small = load();
        return new Splits<>(small.train(), small.test(), null);
    }

    /**
     * Opens the training images with a separate held-out set ({@code --val-data}): every image of
     * a folder or shards trains (none is held out of it), the other sets' training split trains,
     * and the held-out set is labelled by the training set's classes.
     *
     * @param heldOut where the held-out images come from
     * @return both splits
     * @throws IOException if a file is missing, unreadable or malformed, or a class unknown
     */
    public Splits<ImageSource> open(DataSpec heldOut) throws IOException {
        Splits<ImageSource> splits;
        if (streamed()) {
            Indexed all = openIndexed(null);
            splits = new Splits<>(all.source(), null, all.classes());
        } else {
            splits = open();
        }
        ImageSource test = heldOut.openHeldOut(splits.classes());
        if (test.imageBytes() != splits.train().imageBytes()) {
            throw new IllegalArgumentException("held-out data " + heldOut + " holds " + test.shapeText()
                    + " images, the training data " + splits.train().shapeText());
        }
        return splits.withTest(test);
    }

    /**
     * Opens the images held out for evaluation when this specification names a separate set
     * ({@code --val-data}): every image of a folder or shards (labelled by the training set's
     * classes), the test split of the other sets.
     *
     * @param classes the training set's class names, in label order, or null
     * @return the held-out images
     * @throws IOException if a file is missing, unreadable or malformed, or a class unknown
     */
    public ImageSource openHeldOut(List<String> classes) throws IOException {
        if (streamed()) {
            return openIndexed(classes).source();
        }
        return load().test();
    }

    /** A whole folder or shard set with its class names. */
    private record Indexed(ImageSource source, List<String> classes) {}

    private Indexed openIndexed(List<String> classes) throws IOException {
        if (kind == Kind.NPY) {
            return new Indexed(NpyImageSource.open(directory), null); // labels are numbers, no class names
        }
        if (kind == Kind.SHARDS) {
            ShardSource shards = ShardSource.open(directory);
            if (classes != null && !classes.equals(shards.classes())) {
                throw new IOException(directory + " holds other classes than the training data");
            }
            return new Indexed(shards, shards.classes());
        }
        ImageFolderSource folder = ImageFolderSource.open(directory, imageSize, channels, classes);
        ImageSource source = strict ? folder : new SkippingSource(folder, System.err);
        return new Indexed(source, folder.classes());
    }

    /**
     * Reads a small set's splits into memory (the IDX, CIFAR-10 and embedded sets); image folders
     * and shards are opened with {@link #open} instead.
     *
     * @return both splits, in memory
     * @throws IOException if a file is missing, unreadable or malformed
     */
    public Splits<ImageSet> load() throws IOException {
        if (kind == Kind.EMBEDDED || kind == Kind.COLOURED_DIGITS) {
            ImageSet all = readPair(resource(EMBEDDED_IMAGES), "embedded " + EMBEDDED_IMAGES,
                    resource(EMBEDDED_LABELS), "embedded " + EMBEDDED_LABELS);
            if (kind == Kind.COLOURED_DIGITS) {
                all = ColouredDigits.of(all, 0);
            }
            return new Splits<>(all.slice(0, EMBEDDED_TRAIN), all.slice(EMBEDDED_TRAIN, all.count()), null);
        }
        if (kind == Kind.CIFAR10) {
            return Cifar10Files.read(directory);
        }
        if (streamed()) {
            throw new IllegalArgumentException(this + " is read as batches need it, never whole: use open()");
        }
        if (!Files.isDirectory(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "data directory does not exist");
        }
        ImageSet train = readSplit("train");
        ImageSet test = readSplit("t10k");
        return new Splits<>(train, test, null);
    }

    private ImageSet readSplit(String prefix) throws IOException {
        Path images = find(prefix + "-images-idx3-ubyte");
        Path labels = find(prefix + "-labels-idx1-ubyte");
        try (InputStream im = Files.newInputStream(images); InputStream lb = Files.newInputStream(labels)) {
            return readPair(im, images.toString(), lb, labels.toString());
        }
    }

    private Path find(String stem) throws IOException {
        for (String name : new String[] {stem, stem + ".gz"}) {
            Path p = directory.resolve(name);
            if (Files.isRegularFile(p)) {
                if (!Files.isReadable(p)) {
                    throw new IOException(p + " is not readable");
                }
                return p;
            }
        }
        throw new NoSuchFileException(directory.resolve(stem).toString(), null,
                "missing " + stem + "(.gz) in " + directory);
    }

    private static InputStream resource(String name) throws IOException {
        InputStream is = DataSpec.class.getResourceAsStream(name);
        if (is == null) {
            throw new IOException("embedded data " + name + " is missing from the jar");
        }
        return is;
    }

    private static ImageSet readPair(InputStream images, String imageName, InputStream labels, String labelName)
            throws IOException {
        try (images; labels) {
            IdxFile im = IdxFile.read(images, imageName, 3);
            IdxFile lb = IdxFile.read(labels, labelName, 1);
            if (lb.dims()[0] != im.dims()[0]) {
                throw new IOException(labelName + " holds " + lb.dims()[0] + " labels but " + imageName
                        + " holds " + im.dims()[0] + " images");
            }
            int[] lab = new int[lb.dims()[0]];
            for (int i = 0; i < lab.length; i++) {
                lab[i] = lb.data()[i] & 0xFF;
            }
            return new ImageSet(im.data(), lab, im.dims()[0], 1, im.dims()[1], im.dims()[2]);
        }
    }

    @Override
    public String toString() {
        if (directory == null) {
            return kind == Kind.EMBEDDED ? "embedded" : "coloured-digits";
        }
        if (kind == Kind.SHARDS) {
            return "shards:" + directory;
        }
        if (kind == Kind.NPY) {
            return "npy:" + directory;
        }
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + ":" + directory;
    }

    /**
     * The two splits of a dataset.
     *
     * @param train images to train on
     * @param test held-out images for evaluation
     * @param classes class names in label order where the data names them (folders, shards), else null
     * @param <S> the kind of image source: {@link ImageSet} for a set read into memory
     */
    public record Splits<S extends ImageSource>(S train, S test, List<String> classes) {

        /**
         * Returns these splits with other held-out images ({@code --val-data}).
         *
         * @param heldOut the images to evaluate on
         * @return the new splits
         */
        public Splits<ImageSource> withTest(ImageSource heldOut) {
            return new Splits<>(train, heldOut, classes);
        }
    }
}
