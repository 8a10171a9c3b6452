package org.vqvae.core.io.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One tensor read from (or for) a weight file, held on the heap: its type, shape and contiguous
 * row-major little-endian bytes.
 *
 * @param type element type
 * @param shape dimensions (empty for a scalar)
 * @param data {@code numel * type.bytes()} bytes, little-endian, row-major
 */
public record TensorData(TensorType type, long[] shape, byte[] data) {

    /** Checks that the bytes fit the shape. */
    public TensorData {
        shape = shape.clone();
        long n = numel(shape);
        if (n * type.bytes() != data.length) {
            throw new IllegalArgumentException("tensor " + Arrays.toString(shape) + " of " + type + " needs "
                    + n * type.bytes() + " bytes, got " + data.length);
        }
    }

    /**
     * Number of elements of a shape, refusing negative or overflowing dimensions.
     *
     * @param shape dimensions
     * @return their product
     */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Number of elements. */
    public long numel() {
        return numel(shape);
    }

    /** Dimensions as DJL's {@link Shape}. */
    public Shape djlShape() {
        return new Shape(shape);
    }

    /**
     * Copies the tensor into an NDArray of its own type.
     *
     * @param manager owner of the array
     * @return the array
     */
    public NDArray toNDArray(NDManager manager) {
        ByteBuffer buf = ByteBuffer.allocateDirect(data.length).order(ByteOrder.nativeOrder());
        ByteBuffer le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            buf.put(le);
        } else {
            for (int i = 0; i < data.length; i += type.bytes()) {
                switch (type) {
                    case FLOAT32 -> buf.putInt(le.getInt(i));
                    case FLOAT16 -> buf.putShort(le.getShort(i));
                    case INT64 -> buf.putLong(le.getLong(i));
                    default -> throw new IllegalStateException(type.name());
                }
            }
        }
        buf.rewind();
        return manager.create(buf, djlShape(), type.dataType());
    }

    /**
     * Copies an NDArray (float32, float16 or int64) to the heap.
     *
     * @param array the array
     * @return its data
     */
    public static TensorData of(NDArray array) {
        TensorType t = TensorType.of(array.getDataType());
        if (t == null) {
            throw new IllegalArgumentException("cannot store " + array.getDataType() + " arrays: only float32,"
                    + " float16 and int64");
        }
        ByteBuffer src = array.toByteBuffer().order(ByteOrder.nativeOrder());
        byte[] out = new byte[src.remaining()];
        ByteBuffer dst = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < out.length; i += t.bytes()) {
            switch (t) {
                case FLOAT32 -> dst.putInt(i, src.getInt(i));
                case FLOAT16 -> dst.putShort(i, src.getShort(i));
                case INT64 -> dst.putLong(i, src.getLong(i));
                default -> throw new IllegalStateException(t.name());
            }
        }
        return new TensorData(t, array.getShape().getShape(), out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData d && type == d.type && Arrays.equals(shape, d.shape)
                && Arrays.equals(data, d.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape);
    }
}
