package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.vqvae.core.io.Npy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Labelled integer code maps held on the host: what a prior trains on.
 *
 * @param codes {@code [N, H, W]} row-major codes
 * @param labels one class per map
 * @param height H
 * @param width W
 */
public record CodeSet(long[] codes, long[] labels, int height, int width) {

    /** Validates the sizes. */
    public CodeSet {
        if ((long) labels.length * height * width != codes.length) {
            throw new IllegalArgumentException(labels.length + " labels do not match " + codes.length + " codes of "
                    + height + "x" + width + " maps");
        }
    }

    /** Number of maps. */
    public int count() {
        return labels.length;
    }

    /**
     * Returns maps {@code idx} as arrays.
     *
     * @param manager the manager of the arrays
     * @param idx map indices
     * @return {@code NDList(codes [n, H, W] int64, labels [n] int64)}
     */
    public NDList batch(NDManager manager, int[] idx) {
        int per = height * width;
        long[] c = new long[idx.length * per];
        long[] l = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(codes, idx[i] * per, c, i * per, per);
            l[i] = labels[idx[i]];
        }
        return new NDList(manager.create(c, new Shape(idx.length, height, width)), manager.create(l));
    }

    /**
     * Checks every code is in {@code [0, k)} and every label in {@code [0, classes)}.
     *
     * @param k the number of code values
     * @param classes the number of classes
     * @param what the name used in messages
     */
    public void check(int k, int classes, String what) {
        for (long c : codes) {
            if (c < 0 || c >= k) {
                throw new IllegalArgumentException(what + " holds code " + c + ", outside [0, " + k + ")");
            }
        }
        for (long l : labels) {
            if (l < 0 || l >= classes) {
                throw new IllegalArgumentException(what + " holds class " + l + ", outside [0, " + classes + ")");
            }
        }
    }

    /** Largest label plus one. */
    public int numClasses() {
        return (int) Arrays.stream(labels).max().orElse(-1) + 1;
    }

    /** Largest code plus one. */
    public int maxCodePlusOne() {
        return (int) Arrays.stream(codes).max().orElse(-1) + 1;
    }

    /**
     * Writes {@code PREFIX_codes.npy} and {@code PREFIX_labels.npy} into a directory.
     *
     * @param dir the directory
     * @param prefix {@code train} or {@code test}
     * @param manager a manager for the temporary arrays
     * @throws IOException on failure
     */
    public void write(Path dir, String prefix, NDManager manager) throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Npy.write(dir.resolve(prefix + "_codes.npy"), m.create(codes, new Shape(count(), height, width)));
            Npy.write(dir.resolve(prefix + "_labels.npy"), m.create(labels));
        }
    }

    /**
     * Reads a split written by {@link #write}.
     *
     * @param dir the directory
     * @param prefix {@code train} or {@code test}
     * @param manager a manager for the temporary arrays
     * @return the code set
     * @throws IOException if files are missing or malformed
     */
    public static CodeSet read(Path dir, String prefix, NDManager manager) throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Path codesFile = dir.resolve(prefix + "_codes.npy");
            Path labelsFile = dir.resolve(prefix + "_labels.npy");
            NDArray codes = Npy.read(m, codesFile).singletonOrThrow();
            NDArray labels = Npy.read(m, labelsFile).singletonOrThrow();
            if (codes.getShape().dimension() != 3 || codes.getDataType().isFloating()) {
                throw new IOException(codesFile + " must hold integer code maps [N, H, W], got "
                        + codes.getDataType() + " " + codes.getShape());
            }
            if (labels.getShape().dimension() != 1 || labels.getDataType().isFloating()
                    || labels.getShape().get(0) != codes.getShape().get(0)) {
                throw new IOException(labelsFile + " must hold " + codes.getShape().get(0) + " integer labels, got "
                        + labels.getDataType() + " " + labels.getShape());
            }
            return new CodeSet(codes.toType(DataType.INT64, false).toLongArray(),
                    labels.toType(DataType.INT64, false).toLongArray(),
                    (int) codes.getShape().get(1), (int) codes.getShape().get(2));
        } catch (IllegalStateException e) {
            throw new IOException(dir + ": " + e.getMessage(), e);
        }
    }
}
