package org.vqvae.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that a reader never sees a half-written one: the content goes to a temporary
 * file in the same directory, which is then moved into place.
 */
public final class AtomicFiles {

    /** Something that writes a file's whole content to a stream. */
    @FunctionalInterface
    public interface Writer {
        /**
         * Writes the content.
         *
         * @param os the stream to write to
         * @throws IOException on failure
         */
        void write(OutputStream os) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes a file atomically; on failure the target is left as it was and no temporary remains.
     *
     * @param target the file to create or replace
     * @param writer writes the content
     * @throws IOException on failure
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path tmp = temporaryFor(target);
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                writer.write(os);
            }
            publish(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Creates an empty temporary file beside a target (same directory, so the final move is a
     * rename), creating the directory if needed. The caller writes it, then {@link #publish}es it
     * or deletes it.
     *
     * @param target the file the temporary will become
     * @return the temporary file
     * @throws IOException on failure
     */
    public static Path temporaryFor(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    }

    /**
     * Moves a finished temporary file into place as an ordinary (world-readable) file.
     *
     * @param tmp the written temporary, from {@link #temporaryFor}
     * @param target the file to create or replace
     * @throws IOException on failure
     */
    public static void publish(Path tmp, Path target) throws IOException {
        // temporary files are created private (0600); results are ordinary files
        try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
        move(tmp, target);
    }

    /**
     * Writes a text file atomically.
     *
     * @param target the file
     * @param text its content (UTF-8)
     * @throws IOException on failure
     */
    public static void writeString(Path target, String text) throws IOException {
        write(target, os -> os.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Moves a file or directory into place, atomically where the file system allows.
     *
     * @param from the source
     * @param to the destination (replaced if it is a file)
     * @throws IOException on failure
     */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Deletes a file or a directory with everything below it (a temporary that a failed or
     * interrupted write left); nothing happens if it does not exist.
     *
     * @param path the file or directory
     * @throws IOException if something cannot be deleted
     */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
