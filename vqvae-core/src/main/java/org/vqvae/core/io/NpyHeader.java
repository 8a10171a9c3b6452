package org.vqvae.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a NumPy {@code .npy} file: element type, shape and where the data starts.
 * Versions 1.0 to 3.0 are read; 1.0 is written (2.0 when the header outgrows 64 KiB).
 *
 * @param descr NumPy's type string, e.g. {@code |u1}, {@code <u2}, {@code <i8}
 * @param fortranOrder whether the data is column-major
 * @param shape the array's shape
 * @param dataOffset the byte offset of the first element
 */
public record NpyHeader(String descr, boolean fortranOrder, long[] shape, long dataOffset) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /**
     * Reads the header at the start of a file.
     *
     * @param channel the file, read from position 0
     * @param file its name for messages
     * @return the header
     * @throws IOException if the file is not a {@code .npy} file
     */
    public static NpyHeader read(FileChannel channel, Path file) throws IOException {
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(pre, 0);
        byte[] magic = Arrays.copyOf(pre.array(), 6);
        if (pre.position() < 10 || !Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + " is not a .npy file");
        }
        int major = pre.get(6);
        long length;
        int start;
        if (major == 1) {
            length = pre.getShort(8) & 0xFFFF;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (pre.position() < 12) {
                throw new IOException(file + " is not a .npy file");
            }
            length = pre.getInt(8) & 0xFFFFFFFFL;
            start = 12;
        } else {
            throw new IOException(file + " is a .npy file of unknown version " + major);
        }
        if (length > (1 << 24) || start + length > channel.size()) {
            throw new IOException(file + " has a truncated .npy header");
        }
        ByteBuffer h = ByteBuffer.allocate((int) length);
        channel.read(h, start);
        String text = new String(h.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(text);
        Matcher f = FORTRAN.matcher(text);
        Matcher s = SHAPE.matcher(text);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(file + " has a malformed .npy header: " + text.strip());
        }
        String[] dims = s.group(1).split(",");
        long[] shape = Arrays.stream(dims).map(String::strip).filter(x -> !x.isEmpty()).mapToLong(x -> {
            try {
                return Long.parseLong(x.endsWith("L") ? x.substring(0, x.length() - 1) : x);
            } catch (NumberFormatException e) {
                return -1;
            }
        }).toArray();
        for (long x : shape) {
            if (x < 0) {
                throw new IOException(file + " has a malformed .npy shape: (" + s.group(1) + ")");
            }
        }
        return new NpyHeader(d.group(1), f.group(1).equals("True"), shape, start + length);
    }

    /**
     * Checks the type and shape.
     *
     * @param wantDescr the type wanted
     * @param wantShape the shape wanted
     * @param file the file, for the message
     * @throws IOException if they differ
     */
    public void require(String wantDescr, long[] wantShape, Path file) throws IOException {
        if (!descr.equals(wantDescr) || fortranOrder || !Arrays.equals(shape, wantShape)) {
            throw new IOException(file + " holds " + descr + (fortranOrder ? " (Fortran order) " : " ")
                    + Arrays.toString(shape) + ", expected " + wantDescr + " " + Arrays.toString(wantShape));
        }
    }

    /** Number of elements, the product of the shape. */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Writes a C-order header for data that follows it.
     *
     * @param os the stream
     * @param descr NumPy's type string
     * @param shape the shape
     * @throws IOException on failure
     */
    public static void write(OutputStream os, String descr, long[] shape) throws IOException {
        os.write(encode(descr, shape));
    }

    /**
     * Returns the bytes of a C-order header, padded so the data starts at a multiple of 64.
     *
     * @param descr NumPy's type string
     * @param shape the shape
     * @return magic, version, length and header text
     */
    public static byte[] encode(String descr, long[] shape) {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(shape[i]).append(i == 0 && shape.length == 1 ? "," : i < shape.length - 1 ? ", " : "");
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        boolean v2 = dict.length() + 12 > 65535;
        int prefix = v2 ? 12 : 10;
        int padding = (64 - (prefix + dict.length() + 1) % 64) % 64;
        byte[] text = (dict + " ".repeat(padding) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v2 ? 2 : 1)).put((byte) 0);
        if (v2) {
            b.putInt(text.length);
        } else {
            b.putShort((short) text.length);
        }
        b.put(text);
        return b.array();
    }
}
