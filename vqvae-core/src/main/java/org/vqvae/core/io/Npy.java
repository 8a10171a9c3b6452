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
        try (InputStream is = new BufferedInputStream(Files.newInputStream(path))) {
            return NDList.decode(manager, is);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException(path + " is not a readable .npy/.npz file (" + e.getMessage() + ")", e);
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
