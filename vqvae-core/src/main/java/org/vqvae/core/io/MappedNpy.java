package org.vqvae.core.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A {@code .npy} file of little-endian integers in C order, memory-mapped rather than loaded: element
 * indices are {@code long}, so files of more than 2^31 elements (and larger than memory) are read
 * range by range, the operating system paging in only what is read. A mapped buffer holds at most
 * 2 GiB, so the data is mapped as several pieces. Reads use absolute positions only, so several
 * threads may read at once.
 */
public final class MappedNpy {

    /** Bytes per mapped piece: a multiple of every element size, so no element straddles two. */
    private static final long PIECE = 1L << 30;

    private final Path file;
    private final NpyHeader header;
    private final long count;
    private final MappedByteBuffer[] pieces;

    private MappedNpy(Path file, NpyHeader header, long count, MappedByteBuffer[] pieces) {
        this.file = file;
        this.header = header;
        this.count = count;
        this.pieces = pieces;
    }

    /**
     * Opens and maps a file, checking its header and that it holds all the data the header declares.
     *
     * @param file the {@code .npy} file
     * @return the mapped file
     * @throws IOException if it is missing, truncated, or not C-ordered little-endian integers
     */
    public static MappedNpy open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        // the mappings stay valid after the channel is closed
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyHeader header = NpyHeader.read(file, channel);
            long count;
            long bytes;
            try {
                count = header.count();
                bytes = header.dataBytes();
            } catch (ArithmeticException e) {
                throw new IOException(file + " declares an impossible .npy shape " + Arrays.toString(header.shape()));
            }
            long available = channel.size() - header.dataOffset();
            if (available < bytes) {
                throw new IOException(file + " is truncated: its header declares " + header.type().descr() + " "
                        + Arrays.toString(header.shape()) + " (" + bytes + " bytes of data) but it holds "
                        + Math.max(0, available));
            }
            MappedByteBuffer[] pieces = new MappedByteBuffer[(int) ((bytes + PIECE - 1) / PIECE)];
            for (int p = 0; p < pieces.length; p++) {
                long at = p * PIECE;
                pieces[p] = channel.map(FileChannel.MapMode.READ_ONLY, header.dataOffset() + at,
                        Math.min(PIECE, bytes - at));
                pieces[p].order(ByteOrder.LITTLE_ENDIAN);
            }
            return new MappedNpy(file, header, count, pieces);
        }
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The element type. */
    public NpyType type() {
        return header.type();
    }

    /** The dimensions (a copy). */
    public long[] shape() {
        return header.shape().clone();
    }

    /** Number of elements. */
    public long count() {
        return count;
    }

    /**
     * Reads consecutive elements (C order) as {@code long}s.
     *
     * @param fromElement the first element
     * @param dst the destination
     * @param offset where the first element goes in {@code dst}
     * @param n how many elements
     * @throws IndexOutOfBoundsException if the range is outside the file or {@code dst}
     */
    public void read(long fromElement, long[] dst, int offset, int n) {
        if (fromElement < 0 || n < 0 || fromElement > count - n) {
            throw new IndexOutOfBoundsException(file + ": elements [" + fromElement + ", " + (fromElement + n)
                    + ") are outside [0, " + count + ")");
        }
        java.util.Objects.checkFromIndexSize(offset, n, dst.length);
        NpyType type = header.type();
        int size = type.size();
        long byteAt = fromElement * size;
        int i = 0;
        while (i < n) {
            MappedByteBuffer piece = pieces[(int) (byteAt / PIECE)];
            int at = (int) (byteAt % PIECE);
            int span = (int) Math.min(n - i, (piece.limit() - at) / size);
            for (int k = 0; k < span; k++, at += size) {
                dst[offset + i + k] = type.get(piece, at);
            }
            i += span;
            byteAt += (long) span * size;
        }
    }

    /**
     * Copies raw data bytes (little-endian elements, C order) out of the mapped file: for uint8
     * images, one image's pixels without widening each to a {@code long}.
     *
     * @param fromByte the first byte, counted from the start of the data
     * @param dst the destination
     * @param offset where the first byte goes in {@code dst}
     * @param n how many bytes
     * @throws IndexOutOfBoundsException if the range is outside the data or {@code dst}
     */
    public void readBytes(long fromByte, byte[] dst, int offset, int n) {
        long bytes = count * header.type().size();
        if (fromByte < 0 || n < 0 || fromByte > bytes - n) {
            throw new IndexOutOfBoundsException(file + ": bytes [" + fromByte + ", " + (fromByte + n)
                    + ") are outside [0, " + bytes + ")");
        }
        java.util.Objects.checkFromIndexSize(offset, n, dst.length);
        int i = 0;
        while (i < n) {
            // a range may straddle two pieces; absolute gets keep reads thread-safe
            MappedByteBuffer piece = pieces[(int) (fromByte / PIECE)];
            int at = (int) (fromByte % PIECE);
            int span = Math.min(n - i, piece.limit() - at);
            piece.get(at, dst, offset + i, span);
            i += span;
            fromByte += span;
        }
    }

    /**
     * Reads the whole file, which must be small (labels, not code maps).
     *
     * @return every element, C order
     * @throws IllegalStateException if it holds 2^31 elements or more
     */
    public long[] readAll() {
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(file + " holds " + count + " elements: too many to read whole");
        }
        long[] all = new long[(int) count];
        read(0, all, 0, all.length);
        return all;
    }
}
