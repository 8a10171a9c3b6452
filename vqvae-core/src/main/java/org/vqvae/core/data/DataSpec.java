package org.vqvae.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where images come from, as written on the command line: {@code embedded} (the MNIST test set
 * shipped inside this library), {@code mnist:DIR}, {@code fashion-mnist:DIR}, {@code cifar10:DIR}
 * or {@code folder:DIR} (one sub-folder per class).
 *
 * @param kind the dataset kind
 * @param directory the directory for directory-backed kinds, else null
 * @param imageSize the square size image folders are resized and cropped to
 * @param strict whether an unreadable image in a folder stops the load
 */
public record DataSpec(Kind kind, Path directory, int imageSize, boolean strict) {

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
        /** The embedded sample as 32x32 colour images (tinted digits on coloured backgrounds). */
        COLOURED_DIGITS
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
        return new DataSpec(kind, directory, size, strictImages);
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
            return new DataSpec(Kind.EMBEDDED, null, 0, false);
        }
        if (text.equals("coloured-digits") || text.equals("colored-digits")) {
            return new DataSpec(Kind.COLOURED_DIGITS, null, 0, false);
        }
        int colon = text.indexOf(':');
        String kind = (colon < 0 ? text : text.substring(0, colon)).toLowerCase(Locale.ROOT);
        String dir = colon < 0 ? "" : text.substring(colon + 1);
        Kind k = switch (kind) {
            case "mnist" -> Kind.MNIST;
            case "fashion-mnist", "fashion_mnist", "fashionmnist" -> Kind.FASHION_MNIST;
            case "cifar10", "cifar-10" -> Kind.CIFAR10;
            case "folder", "imagefolder" -> Kind.FOLDER;
            default -> throw new IllegalArgumentException(
                    "unknown data '" + text + "': use embedded, coloured-digits, mnist:DIR, fashion-mnist:DIR,"
                            + " cifar10:DIR or folder:DIR");
        };
        if (dir.isBlank()) {
            throw new IllegalArgumentException("data '" + text + "' needs a directory, e.g. " + kind + ":/path/to/dir");
        }
        return new DataSpec(k, Path.of(dir), 256, false);
    }

    /**
     * Loads the training and held-out images.
     *
     * @return both splits
     * @throws IOException if a file is missing, unreadable or malformed
     */
    public Splits load() throws IOException {
        if (kind == Kind.EMBEDDED || kind == Kind.COLOURED_DIGITS) {
            ImageSet all = readPair(resource(EMBEDDED_IMAGES), "embedded " + EMBEDDED_IMAGES,
                    resource(EMBEDDED_LABELS), "embedded " + EMBEDDED_LABELS);
            if (kind == Kind.COLOURED_DIGITS) {
                all = ColouredDigits.of(all, 0);
            }
            return new Splits(all.slice(0, EMBEDDED_TRAIN), all.slice(EMBEDDED_TRAIN, all.count()), 0);
        }
        if (kind == Kind.CIFAR10) {
            return Cifar10Files.read(directory);
        }
        if (kind == Kind.FOLDER) {
            return ImageFolderData.read(directory, imageSize, strict);
        }
        if (!Files.isDirectory(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "data directory does not exist");
        }
        ImageSet train = readSplit("train");
        ImageSet test = readSplit("t10k");
        return new Splits(train, test, 0);
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
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + ":" + directory;
    }

    /**
     * The two splits of a dataset.
     *
     * @param train images to train on
     * @param test held-out images for evaluation
     * @param skipped unreadable images left out (image folders)
     */
    public record Splits(ImageSet train, ImageSet test, int skipped) {}
}
