package org.vqvae.core.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An image folder in ImageNet's layout (one sub-folder per class, sorted by name; its image files,
 * sorted by path, at any depth), decoded one file at a time by {@link ImageDecoder}: each image's
 * short side resized to the size, then centre-cropped to a square, as torchvision's {@code
 * Resize} and {@code CenterCrop} do. Holds only the index of file names and labels.
 */
public final class ImageFolderSource implements ImageSource {

    /** File name endings indexed as images: JPEG and PNG, the formats {@link ImageDecoder} reads (all ImageNet holds). */
    public static final Set<String> EXTENSIONS =
            Set.of("jpg", "jpeg", "png");

    private final Path root;
    private final List<String> classes;
    private final String[] files;
    private final int[] labels;
    private final int size;
    private final int channels;

    private ImageFolderSource(Path root, List<String> classes, String[] files, int[] labels, int size, int channels) {
        this.root = root;
        this.classes = classes;
        this.files = files;
        this.labels = labels;
        this.size = size;
        this.channels = channels;
    }

    /**
     * Indexes a folder, its classes taken from its sub-folders.
     *
     * @param root the folder
     * @param size the side of the square images
     * @param channels 3 (RGB) or 1 (grey)
     * @return the source
     * @throws IOException if the folder is missing or holds no image
     */
    public static ImageFolderSource open(Path root, int size, int channels) throws IOException {
        return open(root, size, channels, null);
    }

    /**
     * Indexes a folder whose class sub-folders must be among given classes (a validation set
     * labelled as its training set was).
     *
     * @param root the folder
     * @param size the side of the square images
     * @param channels 3 (RGB) or 1 (grey)
     * @param knownClasses the class names, in label order, or null to take the folder's own
     * @return the source
     * @throws IOException if the folder is missing, holds no image or an unknown class
     */
    public static ImageFolderSource open(Path root, int size, int channels, List<String> knownClasses)
            throws IOException {
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "image folder does not exist");
        }
        if (size < 1) {
            throw new IllegalArgumentException("--image-size must be >= 1, got " + size);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images have 1 or 3 channels, not " + channels);
        }
        List<String> dirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && !name.startsWith(".")) {
                    dirs.add(name);
                }
            }
        }
        Collections.sort(dirs);
        List<String> classes = knownClasses == null ? List.copyOf(dirs) : List.copyOf(knownClasses);
        Map<String, Integer> labelOf = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            labelOf.put(classes.get(i), i);
        }
        List<String> names = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        for (String dir : dirs) {
            Integer label = labelOf.get(dir);
            if (label == null) {
                throw new IOException(root.resolve(dir) + " is a class the training data does not have");
            }
            List<String> found = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(root.resolve(dir), 8)) {
                walk.filter(ImageFolderSource::isImageFile)
                        .forEach(p -> found.add(root.relativize(p).toString()));
            }
            Collections.sort(found);
            names.addAll(found);
            for (int i = 0; i < found.size(); i++) {
                labelList.add(label);
            }
        }
        if (names.isEmpty()) {
            throw new IOException(root + " holds no images in class sub-folders (" + String.join(", ",
                    new java.util.TreeSet<>(EXTENSIONS)) + ")");
        }
        int[] labels = new int[labelList.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = labelList.get(i);
        }
        return new ImageFolderSource(root, classes, names.toArray(new String[0]), labels, size, channels);
    }

    private static boolean isImageFile(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && !name.startsWith(".") && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))
                && Files.isRegularFile(p);
    }

    /** The class names, in label order. */
    public List<String> classes() {
        return classes;
    }

    /**
     * Returns an image's file, relative to the folder.
     *
     * @param index the image
     * @return its relative path
     */
    public String file(int index) {
        return files[index];
    }

    /** The folder. */
    public Path root() {
        return root;
    }

    @Override
    public int size() {
        return files.length;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return size;
    }

    @Override
    public int width() {
        return size;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void read(int index, byte[] dst, int offset) throws IOException {
        Path file = root.resolve(files[index]);
        byte[] px;
        try {
            px = ImageDecoder.readSquare(file, size, channels);
        } catch (IOException e) {
            throw ImageDecoder.imageError(file.toString(), e);
        }
        System.arraycopy(px, 0, dst, offset, px.length);
    }

    @Override
    public String describe(int index) {
        return root.resolve(files[index]).toString();
    }
}
