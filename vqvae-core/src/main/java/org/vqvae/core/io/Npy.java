package org.vqvae.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * NumPy {@code .npy} and {@code .npz} files, so that code maps move freely between this library
 * and Python. Reading goes through DJL's {@link NDList#decode}; writing is done here because DJL
 * writes {@code .npy} only inside {@code .npz} archives.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private Npy() {}

    /**
     * Writes one array as a version 1.0 {@code .npy} file, atomically.
     *
     * @param path the file
     * @param array the array (int32, int64, float32, float64 or uint8)
     * @throws IOException on failure
     */
    public static void write(Path path, NDArray array) throws IOException {
        AtomicFiles.write(path, os -> writeTo(os, array));
    }

    /**
     * Writes named arrays as an uncompressed {@code .npz} archive, atomically.
     *
     * @param path the file
     * @param names the array names (without {@code .npy})
     * @param arrays the arrays, one per name
     * @throws IOException on failure
     */
    public static void writeNpz(Path path, List<String> names, List<NDArray> arrays) throws IOException {
        AtomicFiles.write(path, os -> {
            ZipOutputStream zos = new ZipOutputStream(os);
            for (int i = 0; i < names.size(); i++) {
                zos.putNextEntry(new ZipEntry(names.get(i) + ".npy"));
                writeTo(zos, arrays.get(i));
                zos.closeEntry();
            }
            zos.finish();
        });
    }

    /**
     * Packs {@code .npy} files into an uncompressed {@code .npz} archive, atomically, copying each
     * file through a small buffer (so arrays of any size are packed in constant memory).
     *
     * @param path the archive
     * @param names the array names (without {@code .npy})
     * @param files the {@code .npy} files, one per name
     * @throws IOException on failure
     */
    public static void packNpz(Path path, List<String> names, List<Path> files) throws IOException {
        AtomicFiles.write(path, os -> {
            ZipOutputStream zos = new ZipOutputStream(os);
            zos.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
            for (int i = 0; i < names.size(); i++) {
                zos.putNextEntry(new ZipEntry(names.get(i) + ".npy"));
                Files.copy(files.get(i), zos);
                zos.closeEntry();
            }
            zos.finish();
        });
    }

    /**
     * Reads every array of a {@code .npy} or {@code .npz} file.
     *
     * @param manager the manager of the arrays
     * @param path the file
     * @return the arrays (named after their entries for {@code .npz})
     * @throws IOException if the file is missing, unreadable or not a NumPy file
     */
    public static NDList read(NDManager manager, Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        check(path);
        try (InputStream is = new BufferedInputStream(Files.newInputStream(path))) {
            return NDList.decode(manager, is);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException(path + " is not a readable .npy/.npz file (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Checks every array's header against the bytes that follow it before DJL's decoder sees them: a
     * {@code .npy} whose data is shorter or longer than its shape and dtype declare, or whose header
     * is cut short, made libtorch abort the JVM (found by fuzzing). Streams, so memory stays small.
     */
    private static void check(Path path) throws IOException {
        try (InputStream is = new BufferedInputStream(Files.newInputStream(path))) {
            is.mark(4);
            byte[] start = is.readNBytes(4);
            is.reset();
            if (start.length == 4 && start[0] == 'P' && start[1] == 'K') {
                java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(is);
                try {
                    for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                        checkArray(zip, path + "!" + e.getName());
                    }
                } catch (IllegalArgumentException e) {
                    throw new IOException(path + " is a corrupt .npz archive (" + e.getMessage() + ")", e);
                }
            } else {
                checkArray(is, path.toString());
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(path + " is a corrupt .npz archive (" + e.getMessage() + ")", e);
        }
    }

    private static final java.util.regex.Pattern DESCR =
            java.util.regex.Pattern.compile("'descr'\\s*:\\s*'([<>|=]?[a-zA-Z](\\d+))'");
    /** The element types DJL's PyTorch engine creates; an int16 array made libtorch abort the JVM. */
    private static final java.util.Set<String> TYPES = java.util.Set.of("|u1", "|i1", "<i4", "<i8", "<f2", "<f4",
            "<f8", "|b1");
    private static final java.util.regex.Pattern SHAPE =
            java.util.regex.Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private static void checkArray(InputStream in, String name) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 4);
        if (prefix.length < MAGIC.length + 4) {
            throw new IOException(name + " is not a .npy array: it ends inside its header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) {
                throw new IOException(name + " is not a .npy array (no \\x93NUMPY magic string)");
            }
        }
        int major = prefix[MAGIC.length];
        long textLength;
        if (major == 1) {
            textLength = (prefix[MAGIC.length + 2] & 0xFF) | (prefix[MAGIC.length + 3] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            byte[] rest = in.readNBytes(2);
            if (rest.length < 2) {
                throw new IOException(name + " is not a .npy array: it ends inside its header");
            }
            textLength = ByteBuffer.wrap(new byte[] {prefix[MAGIC.length + 2], prefix[MAGIC.length + 3], rest[0],
                    rest[1]}).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
        } else {
            throw new IOException(name + " is a .npy array of format version " + major + ", not 1, 2 or 3");
        }
        if (textLength > 1 << 20) {
            throw new IOException(name + " has an implausible .npy header of " + textLength + " bytes");
        }
        byte[] text = in.readNBytes((int) textLength);
        if (text.length < textLength) {
            throw new IOException(name + " is not a .npy array: it ends inside its header");
        }
        String header = new String(text, StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher d = DESCR.matcher(header);
        java.util.regex.Matcher sh = SHAPE.matcher(header);
        if (!d.find() || !sh.find() || !header.contains("'fortran_order': False")) {
            throw new IOException(name + " has a .npy header this reader does not take: " + header.trim());
        }
        if (!TYPES.contains(d.group(1))) {
            throw new IOException(name + " holds dtype " + d.group(1) + "; readable: " + new java.util.TreeSet<>(TYPES));
        }
        long bytes;
        try {
            bytes = Long.parseLong(d.group(2));
            for (String part : sh.group(1).split(",")) {
                if (!part.isBlank()) {
                    long dim = Long.parseLong(part.trim());
                    if (dim < 0) {
                        throw new NumberFormatException("negative dimension " + dim);
                    }
                    bytes = Math.multiplyExact(bytes, dim);
                }
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IOException(name + " has a malformed .npy header: " + header.trim(), e);
        }
        long held = 0;
        for (long n; (n = in.skip(1 << 20)) > 0; ) {
            held += n;
        }
        held += in.readAllBytes().length; // skip may stop early on some streams
        if (held != bytes) {
            throw new IOException(name + " holds " + held + " bytes of data, its .npy header declares " + bytes);
        }
    }

    private static void writeTo(OutputStream os, NDArray array) throws IOException {
        String descr = switch (array.getDataType()) {
            case INT32 -> "<i4";
            case INT64 -> "<i8";
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case UINT8 -> "|u1";
            default -> throw new IllegalArgumentException("no .npy type for " + array.getDataType());
        };
        long[] shape = array.getShape().getShape();
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        if (shape.length > 1) {
            dims.setLength(dims.length() - 2);
        } else if (shape.length == 0) {
            dims.setLength(0);
        } else {
            dims.setLength(dims.length() - 1);
        }
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = MAGIC.length + 2 + 2 + header.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        StringBuilder h = new StringBuilder(header);
        h.append(" ".repeat(padding)).append('\n');
        byte[] hb = h.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer len = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) hb.length);
        os.write(MAGIC);
        os.write(1);
        os.write(0);
        os.write(len.array());
        os.write(hb);
        ByteBuffer bytes = array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        byte[] out = new byte[bytes.remaining()];
        bytes.get(out);
        os.write(out);
    }
}
