package org.vqvae.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Paths on any Hadoop file system (local, HDFS, S3) as the jobs name them: a plain path is local
 * (made absolute, so executors with another working directory find it), a URI names its file
 * system. Local files go through Hadoop's raw local file system, so no {@code .crc} files appear
 * beside the outputs. A copy of the driver's Hadoop settings travels to the executors.
 */
public final class HadoopFiles implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, String> settings;
    private transient Configuration conf;

    private HadoopFiles(Map<String, String> settings) {
        this.settings = settings;
    }

    /**
     * Captures Hadoop settings (a SparkContext's {@code hadoopConfiguration()}).
     *
     * @param conf the settings
     * @return their serialisable copy
     */
    public static HadoopFiles of(Configuration conf) {
        Map<String, String> s = new HashMap<>();
        conf.forEach(e -> s.put(e.getKey(), e.getValue()));
        return new HadoopFiles(s);
    }

    /** The settings as a Hadoop configuration. */
    public synchronized Configuration conf() {
        if (conf == null) {
            conf = new Configuration(false);
            settings.forEach(conf::set);
        }
        return conf;
    }

    /**
     * Whether a path names a file system (hdfs://, s3a://, file:...) rather than a local path.
     *
     * @param text the path as given
     * @return true for a URI
     */
    public static boolean isUri(String text) {
        return text.matches("^[A-Za-z][A-Za-z0-9+.-]+:.*");
    }

    /**
     * The Hadoop path of a path as given: a local path made absolute, a URI as it is.
     *
     * @param text the path
     * @return the Hadoop path
     */
    public static Path path(String text) {
        return isUri(text) ? new Path(text) : new Path(java.nio.file.Path.of(text).toAbsolutePath().toUri());
    }

    /**
     * The file system of a path, the raw one for local files.
     *
     * @param p the path
     * @return its file system
     * @throws IOException if it cannot be reached
     */
    public FileSystem fs(Path p) throws IOException {
        FileSystem fs = p.getFileSystem(conf());
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }

    /**
     * Moves a local file to {@code dir/name} on a file system: written under a temporary name,
     * then renamed. When the name exists already (a speculative or retried attempt committed the
     * same bytes) the copy is dropped, so no output appears twice.
     *
     * @param local the finished local file
     * @param dir the target directory
     * @param name the file name there
     * @throws IOException if copying or renaming fails
     */
    public void commit(java.nio.file.Path local, Path dir, String name) throws IOException {
        FileSystem fs = fs(dir);
        Path target = new Path(dir, name);
        if (fs.exists(target)) {
            return;
        }
        Path tmp = new Path(dir, "." + name + ".tmp-" + UUID.randomUUID());
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            Files.copy(local, out);
        }
        if (!fs.rename(tmp, target)) {
            fs.delete(tmp, false);
            if (!fs.exists(target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
        }
    }

    /**
     * Writes bytes to {@code dir/name}, replacing it, under a temporary name renamed when complete.
     *
     * @param dir the directory
     * @param name the file name
     * @param writer what writes the content
     * @throws IOException if writing fails
     */
    public void publish(Path dir, String name, StreamWriter writer) throws IOException {
        FileSystem fs = fs(dir);
        fs.mkdirs(dir);
        Path target = new Path(dir, name);
        Path tmp = new Path(dir, "." + name + ".tmp-" + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                writer.write(out);
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
        } finally {
            if (fs.exists(tmp)) {
                fs.delete(tmp, false);
            }
        }
    }

    /** Writes a file's content. */
    @FunctionalInterface
    public interface StreamWriter {
        /**
         * Writes.
         *
         * @param out the stream
         * @throws IOException if writing fails
         */
        void write(java.io.OutputStream out) throws IOException;
    }
}
