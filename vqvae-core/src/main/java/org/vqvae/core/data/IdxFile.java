package org.vqvae.core.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST (raw or gzip-compressed): unsigned-byte tensors
 * behind a big-endian header of magic number {@code 0x0000080D} (D = number of dimensions) and D
 * sizes. Every header and length is checked, so a truncated or foreign file fails with a message
 * that names it.
 *
 * @param dims the sizes of each dimension
 * @param data the values, row-major
 */
public record IdxFile(int[] dims, byte[] data) {

    private static final int UNSIGNED_BYTE = 0x08;

    /**
     * Reads and validates an IDX file of unsigned bytes.
     *
     * @param path the file ({@code .gz} or raw; compression is recognised by content)
     * @param expectedDims the number of dimensions the caller needs (3 for images, 1 for labels)
     * @return the tensor
     * @throws IOException if the file is missing, truncated or not an IDX file of that rank
     */
    public static IdxFile read(Path path, int expectedDims) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString(), expectedDims);
        }
    }

    /**
     * Reads and validates an IDX tensor of unsigned bytes from a stream.
     *
     * @param stream the content ({@code .gz} or raw; compression is recognised by content)
     * @param name the name used in error messages
     * @param expectedDims the number of dimensions the caller needs
     * @return the tensor
     * @throws IOException if the content is truncated or not an IDX tensor of that rank
     */
    public static IdxFile read(InputStream stream, String name, int expectedDims) throws IOException {
        try (InputStream in = open(stream)) {
            int magic = readInt(in, "header");
            int type = (magic >>> 8) & 0xFF;
            int rank = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || rank != expectedDims) {
                throw new IOException(String.format(
                        "%s is not an IDX file of %d-dimensional unsigned bytes (magic 0x%08X, expected 0x%08X)",
                        name, expectedDims, magic, (UNSIGNED_BYTE << 8) | expectedDims));
            }
            int[] dims = new int[rank];
            long total = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = readInt(in, "header");
                if (dims[i] <= 0) {
                    throw new IOException(name + ": IDX dimension " + i + " has size " + dims[i]);
                }
                total *= dims[i];
                // checked at each step: three sizes near 2^31 overflow a long (found by fuzzing)
                if (total > Integer.MAX_VALUE - 16) {
                    throw new IOException(name + ": IDX tensor of more than " + (Integer.MAX_VALUE - 16)
                            + " bytes is too large");
                }
            }
            // read in pieces rather than allocated from the header: a hostile size costs only the bytes there are
            byte[] data = in.readNBytes((int) total);
            int read = data.length;
            if (read != total) {
                throw new IOException(String.format(
                        "%s is truncated: the header promises %d bytes of data, the file holds %d", name, total, read));
            }
            // reading to the end also makes gzip check its CRC, so corruption cannot pass silently
            if (in.read() != -1) {
                throw new IOException(name + " holds more bytes than its IDX header declares");
            }
            return new IdxFile(dims, data);
        } catch (EOFException e) {
            throw new IOException(name + " is truncated (" + e.getMessage() + ")", e);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(name + " is a corrupt gzip file (" + e.getMessage() + ")", e);
        }
    }

    private static InputStream open(InputStream stream) throws IOException {
        InputStream raw = new BufferedInputStream(stream);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16));
        }
        return raw;
    }

    private static int readInt(InputStream in, String what) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length != 4) {
            throw new EOFException("the " + what + " ends early");
        }
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }
}
