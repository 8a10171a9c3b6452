package org.vqvae.core.io;

import java.nio.ByteBuffer;

/**
 * The little-endian integer element types of {@code .npy} files that code maps and labels use, with
 * the range of values each holds.
 */
public enum NpyType {
    /** Unsigned 8-bit. */
    U1("|u1", 1, 0, 0xFFL),
    /** Signed 8-bit. */
    I1("|i1", 1, Byte.MIN_VALUE, Byte.MAX_VALUE),
    /** Unsigned 16-bit: codes of a codebook of up to 65536 entries. */
    U2("<u2", 2, 0, 0xFFFFL),
    /** Signed 16-bit. */
    I2("<i2", 2, Short.MIN_VALUE, Short.MAX_VALUE),
    /** Signed 32-bit. */
    I4("<i4", 4, Integer.MIN_VALUE, Integer.MAX_VALUE),
    /** Unsigned 32-bit. */
    U4("<u4", 4, 0, 0xFFFF_FFFFL),
    /** Signed 64-bit: what NumPy writes for Python ints, and the old code layout. */
    I8("<i8", 8, Long.MIN_VALUE, Long.MAX_VALUE);

    private final String descr;
    private final int size;
    private final long min;
    private final long max;

    NpyType(String descr, int size, long min, long max) {
        this.descr = descr;
        this.size = size;
        this.min = min;
        this.max = max;
    }

    /**
     * Returns the type a {@code .npy} header's {@code descr} names.
     *
     * @param descr e.g. {@code <u2}
     * @return the type, or null if it is not one of these
     */
    public static NpyType of(String descr) {
        for (NpyType t : values()) {
            if (t.descr.equals(descr)) {
                return t;
            }
        }
        return null;
    }

    /** The header's {@code descr}, e.g. {@code <u2}. */
    public String descr() {
        return descr;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** Smallest value held. */
    public long min() {
        return min;
    }

    /** Largest value held. */
    public long max() {
        return max;
    }

    /**
     * Returns whether a value fits this type.
     *
     * @param v the value
     * @return whether it is in {@code [min(), max()]}
     */
    public boolean holds(long v) {
        return v >= min && v <= max;
    }

    /**
     * Reads the element at an absolute byte position of a little-endian buffer.
     *
     * @param b the buffer (little-endian)
     * @param at byte position
     * @return the value
     */
    long get(ByteBuffer b, int at) {
        return switch (this) {
            case U1 -> b.get(at) & 0xFFL;
            case I1 -> b.get(at);
            case U2 -> b.getShort(at) & 0xFFFFL;
            case I2 -> b.getShort(at);
            case I4 -> b.getInt(at);
            case U4 -> b.getInt(at) & 0xFFFF_FFFFL;
            case I8 -> b.getLong(at);
        };
    }

    /**
     * Appends an element (already checked to fit) to a little-endian buffer.
     *
     * @param b the buffer (little-endian)
     * @param v the value
     */
    void put(ByteBuffer b, long v) {
        switch (size) {
            case 1 -> b.put((byte) v);
            case 2 -> b.putShort((short) v);
            case 4 -> b.putInt((int) v);
            default -> b.putLong(v);
        }
    }
}
