package org.vqvae.core.io.torch;

import ai.djl.ndarray.types.DataType;

/** The element types a weight file may hold: those of a float32, float16 or int64 state_dict. */
public enum TensorType {
    /** 32-bit float ({@code torch.FloatStorage}, safetensors {@code F32}). */
    FLOAT32(4, DataType.FLOAT32, "F32", "FloatStorage"),
    /** 16-bit float ({@code torch.HalfStorage}, safetensors {@code F16}). */
    FLOAT16(2, DataType.FLOAT16, "F16", "HalfStorage"),
    /** 64-bit integer ({@code torch.LongStorage}, safetensors {@code I64}). */
    INT64(8, DataType.INT64, "I64", "LongStorage");

    private final int bytes;
    private final DataType djl;
    private final String safetensors;
    private final String storage;

    TensorType(int bytes, DataType djl, String safetensors, String storage) {
        this.bytes = bytes;
        this.djl = djl;
        this.safetensors = safetensors;
        this.storage = storage;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** DJL's data type. */
    public DataType dataType() {
        return djl;
    }

    /** The safetensors dtype name. */
    public String safetensorsName() {
        return safetensors;
    }

    /** The PyTorch storage class name (in module {@code torch}). */
    public String storageName() {
        return storage;
    }

    /**
     * Finds the type of a PyTorch storage class.
     *
     * @param name e.g. {@code FloatStorage}
     * @return the type, or null if not one of these
     */
    public static TensorType ofStorage(String name) {
        for (TensorType t : values()) {
            if (t.storage.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Finds the type of a safetensors dtype.
     *
     * @param name e.g. {@code F32}
     * @return the type, or null if not one of these
     */
    public static TensorType ofSafetensors(String name) {
        for (TensorType t : values()) {
            if (t.safetensors.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Finds the type of a DJL data type.
     *
     * @param type DJL's type
     * @return the type, or null if not one of these
     */
    public static TensorType of(DataType type) {
        for (TensorType t : values()) {
            if (t.djl == type) {
                return t;
            }
        }
        return null;
    }
}
