package org.vqvae.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one {@code .npy} file of a shape known up front, streaming: the header first, then values
 * appended in C order, in constant memory whatever the file's size. The file is written under a
 * temporary name beside the target and moved into place by {@link #commit()} once exactly the
 * declared number of values has been appended; {@link #close()} without a commit deletes it, so a
 * reader never sees a partial file. Integer files ({@link #open}) hold code maps and labels; float32
 * files ({@link #float32}) hold decoded images.
 */
public final class NpyWriter implements AutoCloseable {

    private static final int BUFFER = 1 << 16;
    private static final String FLOAT32 = "<f4";

    private final Path target;
    /** The integer type, or null for a float32 file. */
    private final NpyType type;
    private final int elementSize;
    private final long count;
    private final Path tmp;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private long written;
    private boolean done;

    private NpyWriter(Path target, NpyType type, long[] shape) throws IOException {
        this.target = target;
        this.type = type;
        this.elementSize = type == null ? Float.BYTES : type.size();
        byte[] header = type == null ? NpyHeader.encode(FLOAT32, shape) : NpyHeader.encode(type, shape);
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        this.count = n;
        this.tmp = AtomicFiles.temporaryFor(target);
        FileChannel c = null;
        try {
            c = FileChannel.open(tmp, StandardOpenOption.WRITE);
            c.write(ByteBuffer.wrap(header));
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            Files.deleteIfExists(tmp);
            throw e;
        }
        this.channel = c;
    }

    /**
     * Starts writing a file.
     *
     * @param target the file to create or replace on {@link #commit()}
     * @param type the element type of the file
     * @param shape its dimensions
     * @return the writer, positioned at the first value
     * @throws IOException if the temporary file cannot be created
     */
    public static NpyWriter open(Path target, NpyType type, long... shape) throws IOException {
        return new NpyWriter(target, type, shape.clone());
    }

    /**
     * Starts writing a float32 ({@code <f4}) file.
     *
     * @param target the file to create or replace on {@link #commit()}
     * @param shape its dimensions
     * @return the writer, positioned at the first value
     * @throws IOException if the temporary file cannot be created
     */
    public static NpyWriter float32(Path target, long... shape) throws IOException {
        return new NpyWriter(target, null, shape.clone());
    }

    /**
     * Appends float values in C order to a float32 file.
     *
     * @param values the source
     * @param from the first value of {@code values} to append
     * @param n how many
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if this is an integer file, or the file would hold too many
     */
    public void append(float[] values, int from, int n) throws IOException {
        checkAppend(n);
        if (type != null) {
            throw new IllegalArgumentException(target + " holds " + type.descr() + " integers, not float32");
        }
        for (int i = from; i < from + n; i++) {
            if (buffer.remaining() < Float.BYTES) {
                flush();
            }
            buffer.putFloat(values[i]);
        }
        written += n;
    }

    private void checkAppend(int n) {
        if (done) {
            throw new IllegalStateException(target + " is already committed or closed");
        }
        if (n > count - written) {
            throw new IllegalArgumentException(target + " holds " + count + " values; appending " + n + " after "
                    + written + " overflows it");
        }
    }

    /**
     * Appends values in C order after checking that every one fits the file's type.
     *
     * @param values the source
     * @param from the first value of {@code values} to append
     * @param n how many
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if a value does not fit, or the file would hold too many
     */
    public void append(long[] values, int from, int n) throws IOException {
        checkAppend(n);
        if (type == null) {
            throw new IllegalArgumentException(target + " holds float32, not integers");
        }
        for (int i = from; i < from + n; i++) {
            if (!type.holds(values[i])) {
                throw new IllegalArgumentException(target + ": value " + values[i] + " (element " + (written + i - from)
                        + ") does not fit " + type.descr() + " [" + type.min() + ", " + type.max() + "]");
            }
        }
        for (int i = from; i < from + n; i++) {
            if (buffer.remaining() < elementSize) {
                flush();
            }
            type.put(buffer, values[i]);
        }
        written += n;
    }

    /**
     * Appends every value of an array in C order: integers to an integer file, any numbers
     * (converted) to a float32 file.
     *
     * @param array values of any shape
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if a value does not fit, or the file would hold too many
     */
    public void append(NDArray array) throws IOException {
        if (type == null) {
            float[] values = array.getDataType() == DataType.FLOAT32 ? array.toFloatArray()
                    : array.toType(DataType.FLOAT32, false).toFloatArray();
            append(values, 0, values.length);
            return;
        }
        if (array.getDataType().isFloating()) {
            throw new IllegalArgumentException(target + " holds integers, not " + array.getDataType());
        }
        long[] values = array.getDataType() == DataType.INT64 ? array.toLongArray()
                : array.toType(DataType.INT64, false).toLongArray();
        append(values, 0, values.length);
    }

    /** Values appended so far. */
    public long written() {
        return written;
    }

    /** Values the file holds when complete. */
    public long count() {
        return count;
    }

    /**
     * Finishes the file and moves it into place.
     *
     * @throws IOException if writing or moving fails
     * @throws IllegalStateException if fewer values than declared were appended
     */
    public void commit() throws IOException {
        if (done) {
            throw new IllegalStateException(target + " is already committed or closed");
        }
        if (written != count) {
            throw new IllegalStateException(target + " declares " + count + " values but " + written
                    + " were appended");
        }
        flush();
        channel.force(false);
        channel.close();
        done = true;
        try {
            AtomicFiles.publish(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Deletes the temporary file unless {@link #commit()} succeeded. */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            channel.close();
        }
        done = true;
        Files.deleteIfExists(tmp);
    }

    private void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }
}
