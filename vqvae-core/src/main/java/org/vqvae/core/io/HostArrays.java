package org.vqvae.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Java arrays to NDArrays through one reused staging buffer per thread.
 *
 * <p>{@code NDManager.create(float[])} and its kin copy the data into a fresh direct {@link
 * ByteBuffer} on every call. The JVM frees such a buffer only when a garbage collection finds it
 * unreachable, and a training loop makes little heap garbage: a batch of 128 images at 256x256 left
 * 25 MB of direct memory behind per step, which piled up towards {@code -XX:MaxDirectMemorySize}
 * (the heap size by default) before a collection returned it. Here the data goes through a direct
 * buffer kept per thread, and the engine copies it into memory the returned array owns, which its
 * manager frees on close. Transfers larger than {@link #MAX_KEPT_BYTES} use a one-off buffer.
 */
public final class HostArrays {

    /** Largest staging buffer kept per thread (64 MiB). */
    public static final int MAX_KEPT_BYTES = 64 << 20;

    private static final ThreadLocal<ByteBuffer[]> STAGING = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

    private HostArrays() {}

    /**
     * Creates an array of bytes ({@link DataType#UINT8} or {@link DataType#INT8}).
     *
     * @param manager owner of the result
     * @param data the values
     * @param offset first value used
     * @param shape the shape; its size values are read from {@code offset}
     * @param type UINT8 or INT8
     * @return an array the manager owns
     */
    public static NDArray bytes(NDManager manager, byte[] data, int offset, Shape shape, DataType type) {
        if (type != DataType.UINT8 && type != DataType.INT8) {
            throw new IllegalArgumentException("bytes are UINT8 or INT8, not " + type);
        }
        int n = Math.toIntExact(shape.size());
        ByteBuffer b = staging(n);
        b.put(data, offset, n).flip();
        return owned(manager, b, shape, type);
    }

    /**
     * Creates a float32 array.
     *
     * @param manager owner of the result
     * @param data the values, {@code shape.size()} of them
     * @param shape the shape
     * @return an array the manager owns
     */
    public static NDArray floats(NDManager manager, float[] data, Shape shape) {
        ByteBuffer b = staging(checked(data.length, shape) * Float.BYTES);
        b.asFloatBuffer().put(data);
        b.limit(data.length * Float.BYTES);
        return owned(manager, b, shape, DataType.FLOAT32);
    }

    /**
     * Creates an int64 array.
     *
     * @param manager owner of the result
     * @param data the values, {@code shape.size()} of them
     * @param shape the shape
     * @return an array the manager owns
     */
    public static NDArray longs(NDManager manager, long[] data, Shape shape) {
        ByteBuffer b = staging(checked(data.length, shape) * Long.BYTES);
        b.asLongBuffer().put(data);
        b.limit(data.length * Long.BYTES);
        return owned(manager, b, shape, DataType.INT64);
    }

    /**
     * Creates an int32 array.
     *
     * @param manager owner of the result
     * @param data the values, {@code shape.size()} of them
     * @param shape the shape
     * @return an array the manager owns
     */
    public static NDArray ints(NDManager manager, int[] data, Shape shape) {
        ByteBuffer b = staging(checked(data.length, shape) * Integer.BYTES);
        b.asIntBuffer().put(data);
        b.limit(data.length * Integer.BYTES);
        return owned(manager, b, shape, DataType.INT32);
    }

    /**
     * Turns uint8 pixels into float32 images in [-0.5, 0.5], the models' input scale.
     *
     * @param manager owner of the result
     * @param pixels the pixels
     * @param offset first pixel used
     * @param shape {@code [N, C, H, W]} (or any shape whose size the pixels fill)
     * @return float32 images the manager owns
     */
    public static NDArray images(NDManager manager, byte[] pixels, int offset, Shape shape) {
        int n = Math.toIntExact(shape.size());
        ByteBuffer b = staging(n);
        b.put(pixels, offset, n).flip();
        NDArray raw = manager.create(b, shape, DataType.UINT8);
        try {
            // the conversion copies out of the staging buffer
            return raw.toType(DataType.FLOAT32, false).divi(255f).subi(0.5f);
        } finally {
            raw.close();
        }
    }

    private static int checked(int length, Shape shape) {
        if (length != shape.size()) {
            throw new IllegalArgumentException(length + " values do not fill shape " + shape);
        }
        return length;
    }

    /** Creates the array over the staging buffer, then a copy it owns, and lets go of the view. */
    private static NDArray owned(NDManager manager, ByteBuffer staged, Shape shape, DataType type) {
        NDArray view = manager.create(staged, shape, type);
        try {
            return view.duplicate();
        } finally {
            view.close();
        }
    }

    /** A cleared native-order buffer of at least {@code bytes}, limited to {@code bytes}. */
    private static ByteBuffer staging(int bytes) {
        ByteBuffer[] slot = STAGING.get();
        ByteBuffer b = slot[0];
        if (b == null || b.capacity() < bytes) {
            if (bytes > MAX_KEPT_BYTES) {
                return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            }
            int capacity = Math.min(MAX_KEPT_BYTES, Math.max(4096, Integer.highestOneBit(Math.max(1, bytes - 1)) << 1));
            b = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
            slot[0] = b;
        }
        b.clear();
        b.limit(bytes);
        return b;
    }
}
