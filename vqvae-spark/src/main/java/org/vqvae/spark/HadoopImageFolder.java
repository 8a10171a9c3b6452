package org.vqvae.spark;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.vqvae.core.data.ImageDecoder;
import org.vqvae.core.data.ImageFolderSource;
import org.vqvae.core.data.ImageSource;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link ImageFolderSource} on any Hadoop file system: the same index (class sub-folders sorted
 * by name, their JPEG and PNG files sorted by relative path at most 8 levels down, hidden names
 * left out), the same pixels ({@link ImageDecoder} on the file's bytes) and the same names in
 * messages and {@code files.txt}. It holds only the index, is serialisable (broadcast once to the
 * executors) and reads each image through Hadoop, so {@code hdfs://} and {@code s3a://} folders read
 * as local ones do.
 */
public final class HadoopImageFolder implements ImageSource, Serializable {

    private static final long serialVersionUID = 1L;
    private static final int DEPTH = 8;

    private final String root;
    private final String rootUri;
    private final HadoopFiles files;
    private final List<String> classes;
    private final String[] names;
    private final int[] labels;
    private final int size;
    private final int channels;

    private HadoopImageFolder(String root, String rootUri, HadoopFiles files, List<String> classes, String[] names,
            int[] labels, int size, int channels) {
        this.root = root;
        this.rootUri = rootUri;
        this.files = files;
        this.classes = classes;
        this.names = names;
        this.labels = labels;
        this.size = size;
        this.channels = channels;
    }

    /**
     * Indexes a folder as {@link ImageFolderSource#open(java.nio.file.Path, int, int, List)} does.
     *
     * @param root the folder: a local path or a URI
     * @param size the side of the square images
     * @param channels 3 (RGB) or 1 (grey)
     * @param knownClasses the class names in label order, or null to take the folder's own
     * @param files the file systems' settings
     * @return the source
     * @throws IOException if the folder is missing, holds no image or an unknown class
     */
    public static HadoopImageFolder open(String root, int size, int channels, List<String> knownClasses,
            HadoopFiles files) throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("--image-size must be >= 1, got " + size);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images have 1 or 3 channels, not " + channels);
        }
        String shown = HadoopFiles.isUri(root) ? root.replaceAll("/+$", "") : java.nio.file.Path.of(root).toString();
        Path rootPath = HadoopFiles.path(root);
        FileSystem fs = files.fs(rootPath);
        FileStatus[] top;
        try {
            if (!fs.getFileStatus(rootPath).isDirectory()) {
                throw new NoSuchFileException(shown, null, "image folder does not exist");
            }
            top = fs.listStatus(rootPath);
        } catch (FileNotFoundException e) {
            throw new NoSuchFileException(shown, null, "image folder does not exist");
        }
        List<String> dirs = new ArrayList<>();
        for (FileStatus s : top) {
            String name = s.getPath().getName();
            if (s.isDirectory() && !name.startsWith(".")) {
                dirs.add(name);
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
                throw new IOException(child(shown, dir) + " is a class the training data does not have");
            }
            List<String> found = new ArrayList<>();
            walk(fs, new Path(rootPath, relative(dir)), dir, 1, found);
            Collections.sort(found);
            names.addAll(found);
            labelList.addAll(Collections.nCopies(found.size(), label));
        }
        if (names.isEmpty()) {
            throw new IOException(shown + " holds no images in class sub-folders (" + String.join(", ",
                    new java.util.TreeSet<>(ImageFolderSource.EXTENSIONS)) + ")");
        }
        int[] labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        return new HadoopImageFolder(shown, rootPath.toString(), files, classes, names.toArray(new String[0]), labels,
                size, channels);
    }

    private static void walk(FileSystem fs, Path dir, String rel, int depth, List<String> found) throws IOException {
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            String r = rel + "/" + name;
            if (s.isDirectory()) {
                if (depth < DEPTH) {
                    walk(fs, s.getPath(), r, depth + 1, found);
                }
            } else if (isImageName(name)) {
                found.add(r);
            }
        }
    }

    private static boolean isImageName(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && !name.startsWith(".")
                && ImageFolderSource.EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** A relative path as a Hadoop path, whatever characters (colons) its names hold. */
    private static Path relative(String rel) {
        return new Path(null, null, rel);
    }

    private static String child(String shown, String rel) {
        return HadoopFiles.isUri(shown) ? shown + "/" + rel : java.nio.file.Path.of(shown).resolve(rel).toString();
    }

    /** The class names, in label order. */
    public List<String> classes() {
        return classes;
    }

    /** The folder as the command line named it ({@code folder:} with it is the data's name). */
    public String root() {
        return root;
    }

    @Override
    public int size() {
        return names.length;
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
        String shown = describe(index);
        byte[] data;
        Path p = new Path(new Path(rootUri), relative(names[index]));
        try (FSDataInputStream in = files.fs(p).open(p)) {
            data = in.readAllBytes();
        } catch (FileNotFoundException e) {
            throw new IOException("image " + shown + ": no such file", e);
        }
        byte[] px;
        try {
            px = ImageDecoder.resizeCenterCrop(ImageDecoder.decode(data, shown, channels), size);
        } catch (IOException e) {
            throw ImageDecoder.imageError(shown, e);
        }
        System.arraycopy(px, 0, dst, offset, px.length);
    }

    @Override
    public String describe(int index) {
        return child(root, names[index]);
    }
}
