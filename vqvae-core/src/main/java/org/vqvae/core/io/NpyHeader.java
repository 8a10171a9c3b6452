package org.vqvae.core.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a C-ordered {@code .npy} file of little-endian integers: element type and shape,
 * read (format versions 1.0, 2.0 and 3.0) and written (1.0, or 2.0 when the header needs more than
 * 64 KiB).
 *
 * @param type the element type
 * @param shape the dimensions
 * @param dataOffset where the values start in the file
 */
public record NpyHeader(NpyType type, long[] shape, long dataOffset) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Number of elements: the product of the shape. */
    public long count() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes of data the header announces. */
    public long dataBytes() {
        return Math.multiplyExact(count(), type.size());
    }

    /**
     * Encodes a header, padded with spaces so that the data starts at a multiple of 64 bytes as
     * NumPy does.
     *
     * @param type the element type
     * @param shape the dimensions
     * @return the header's bytes (magic string to newline)
     */
    public static byte[] encode(NpyType type, long[] shape) {
        return encode(type.descr(), shape);
    }

    /**
     * Encodes a header of any element type NumPy knows, padded as {@link #encode(NpyType, long[])}
     * pads it: {@code <f4} for float32 images.
     *
     * @param descr the element type, e.g. {@code <f4}
     * @param shape the dimensions
     * @return the header's bytes (magic string to newline)
     */
    public static byte[] encode(String descr, long[] shape) {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d);
            }
            dims.append(d).append(", ");
        }
        if (shape.length > 1) {
            dims.setLength(dims.length() - 2); // (a, b); a single dimension keeps its comma: (a,)
        } else if (shape.length == 1) {
            dims.setLength(dims.length() - 1);
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int version = MAGIC.length + 2 + 2 + dict.length() + 1 + 63 <= 0xFFFF ? 1 : 2;
        int prefix = MAGIC.length + 2 + (version == 1 ? 2 : 4);
        int padding = (64 - (prefix + dict.length() + 1) % 64) % 64;
        byte[] text = (dict + " ".repeat(padding) + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        return b.put(text).array();
    }

    /**
     * Reads and checks the header at the start of a file.
     *
     * @param file the file, for messages
     * @param channel the open file
     * @return the header
     * @throws IOException if it is not a {@code .npy} file of C-ordered little-endian integers
     */
    public static NpyHeader read(Path file, FileChannel channel) throws IOException {
        ByteBuffer start = readFully(file, channel, 0, MAGIC.length + 2);
        for (byte m : MAGIC) {
            if (start.get() != m) {
                throw new IOException(file + " is not a .npy file (no \\x93NUMPY magic string)");
            }
        }
        int major = start.get();
        int lengthBytes = switch (major) {
            case 1 -> 2;
            case 2, 3 -> 4;
            default -> throw new IOException(file + " is a .npy file of format version " + major
                    + ", not 1, 2 or 3");
        };
        ByteBuffer len = readFully(file, channel, MAGIC.length + 2, lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
        long textLength = lengthBytes == 2 ? len.getShort() & 0xFFFF : len.getInt() & 0xFFFF_FFFFL;
        long offset = MAGIC.length + 2 + lengthBytes;
        if (textLength > 1 << 24) {
            throw new IOException(file + " has an implausible .npy header of " + textLength + " bytes");
        }
        if (textLength > channel.size() - offset) {
            // refused before its buffer is allocated: a header length is not a promise the file keeps
            throw new EOFException(file + " ends inside its .npy header (it declares " + textLength + " bytes)");
        }
        ByteBuffer textBytes = readFully(file, channel, offset, (int) textLength);
        String text = new String(textBytes.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return new NpyHeader(typeOf(file, text), shapeOf(file, text), offset + textLength);
    }

    private static NpyType typeOf(Path file, String text) throws IOException {
        Matcher d = DESCR.matcher(text);
        Matcher f = FORTRAN.matcher(text);
        if (!d.find() || !f.find()) {
            throw new IOException(file + " holds a structured or unreadable .npy dtype (header " + text.trim()
                    + "): expected little-endian integers");
        }
        if (f.group(1).equals("True")) {
            throw new IOException(file + " is stored in Fortran order: save it in C order (np.ascontiguousarray)");
        }
        NpyType type = NpyType.of(d.group(1));
        if (type == null) {
            throw new IOException(file + " holds dtype " + d.group(1) + ": expected little-endian integers"
                    + " (|u1, |i1, <u2, <i2, <i4, <u4 or <i8)");
        }
        return type;
    }

    private static long[] shapeOf(Path file, String text) throws IOException {
        Matcher s = SHAPE.matcher(text);
        if (!s.find()) {
            throw new IOException(file + " has a .npy header without a shape: " + text.trim());
        }
        String[] parts = s.group(1).split(",");
        int n = 0;
        long[] shape = new long[parts.length];
        try {
            for (String p : parts) {
                if (!p.isBlank()) {
                    shape[n++] = Long.parseLong(p.trim().replace("L", ""));
                }
            }
        } catch (NumberFormatException e) {
            throw new IOException(file + " has a malformed .npy shape (" + s.group(1) + ")", e);
        }
        long[] out = java.util.Arrays.copyOf(shape, n);
        for (long d : out) {
            if (d < 0) {
                throw new IOException(file + " has a negative .npy dimension (" + s.group(1) + ")");
            }
        }
        return out;
    }

    private static ByteBuffer readFully(Path file, FileChannel channel, long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) {
                throw new EOFException(file + " ends inside its .npy header");
            }
        }
        return b.flip();
    }
}
