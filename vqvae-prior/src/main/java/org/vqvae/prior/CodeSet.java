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
 * Labelled integer code maps held on the host: what a prior trains on. For a VQ-VAE-2 level below
 * the top it also holds, per map, the code map of the level above, which conditions that level's
 * prior.
 *
 * @param codes {@code [N, H, W]} row-major codes
 * @param labels one class per map
 * @param height H
 * @param width W
 * @param condition {@code [N, Hc, Wc]} codes of the level above, or null
 * @param conditionHeight Hc (0 without condition)
 * @param conditionWidth Wc (0 without condition)
 */
public record CodeSet(long[] codes, long[] labels, int height, int width, long[] condition, int conditionHeight,
        int conditionWidth) {

    /** Validates the sizes. */
    public CodeSet {
        if ((long) labels.length * height * width != codes.length) {
            throw new IllegalArgumentException(labels.length + " labels do not match " + codes.length + " codes of "
                    + height + "x" + width + " maps");
        }
        if (condition != null && (long) labels.length * conditionHeight * conditionWidth != condition.length) {
            throw new IllegalArgumentException(labels.length + " maps do not match " + condition.length
                    + " conditioning codes of " + conditionHeight + "x" + conditionWidth + " maps");
        }
    }

    /**
     * Unconditioned code maps.
     *
     * @param codes {@code [N, H, W]} row-major codes
     * @param labels one class per map
     * @param height H
     * @param width W
     */
    public CodeSet(long[] codes, long[] labels, int height, int width) {
        this(codes, labels, height, width, null, 0, 0);
    }

    /**
     * Returns these maps conditioned on the maps of the level above (same images, same order).
     *
     * @param above the level above
     * @return the conditioned set
     */
    public CodeSet conditionedOn(CodeSet above) {
        if (above.count() != count() || !java.util.Arrays.equals(above.labels, labels)) {
            throw new IllegalArgumentException("the level above holds " + above.count()
                    + " maps with other labels: not the same images");
        }
        return new CodeSet(codes, labels, height, width, above.codes, above.height, above.width);
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
     * @return {@code NDList(codes [n, H, W] int64, labels [n] int64[, condition [n, Hc, Wc]])}
     */
    public NDList batch(NDManager manager, int[] idx) {
        long[] l = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = labels[idx[i]];
        }
        NDList out = new NDList(gather(manager, codes, idx, height, width), manager.create(l));
        if (condition != null) {
            out.add(gather(manager, condition, idx, conditionHeight, conditionWidth));
        }
        return out;
    }

    private static NDArray gather(NDManager manager, long[] maps, int[] idx, int h, int w) {
        int per = h * w;
        long[] c = new long[idx.length * per];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(maps, idx[i] * per, c, i * per, per);
        }
        return manager.create(c, new Shape(idx.length, h, w));
    }

    /**
     * Checks every code is in {@code [0, k)} and every label in {@code [0, classes)}.
     *
     * @param k the number of code values
     * @param classes the number of classes
     * @param what the name used in messages
     */
    public void check(int k, int classes, String what) {
        checkCodes(codes, k, what);
        for (long l : labels) {
            if (l < 0 || l >= classes) {
                throw new IllegalArgumentException(what + " holds class " + l + ", outside [0, " + classes + ")");
            }
        }
    }

    /**
     * Checks the maps fit a prior: their codes, classes and, for a conditioned prior, the
     * conditioning maps' size and codes.
     *
     * @param prior the prior
     * @param what the name used in messages
     */
    public void check(CodePrior prior, String what) {
        if (height != prior.height() || width != prior.width()) {
            throw new IllegalArgumentException(what + " are " + height + "x" + width + " maps but the prior models "
                    + prior.height() + "x" + prior.width());
        }
        check(prior.numCodes(), prior.numClasses(), what);
        if (prior.conditionCodes() == 0) {
            if (condition != null) {
                throw new IllegalArgumentException(what + " carry codes of a level above but the prior is not "
                        + "conditioned on them");
            }
            return;
        }
        if (condition == null) {
            throw new IllegalArgumentException("the prior is conditioned on the level above but " + what
                    + " carry no codes of it");
        }
        if (conditionHeight != prior.conditionHeight() || conditionWidth != prior.conditionWidth()) {
            throw new IllegalArgumentException(what + " are conditioned on " + conditionHeight + "x" + conditionWidth
                    + " maps but the prior on " + prior.conditionHeight() + "x" + prior.conditionWidth());
        }
        checkCodes(condition, prior.conditionCodes(), what + " (level above)");
    }

    private static void checkCodes(long[] codes, int k, String what) {
        for (long c : codes) {
            if (c < 0 || c >= k) {
                throw new IllegalArgumentException(what + " holds code " + c + ", outside [0, " + k + ")");
            }
        }
    }

    private static String codesFile(String prefix, String level) {
        return level == null ? prefix + "_codes.npy" : prefix + "_" + level + "_codes.npy";
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
        write(dir, prefix, null, manager);
    }

    /**
     * Writes {@code PREFIX_LEVEL_codes.npy} (or {@code PREFIX_codes.npy} without a level) and
     * {@code PREFIX_labels.npy} into a directory.
     *
     * @param dir the directory
     * @param prefix {@code train} or {@code test}
     * @param level a VQ-VAE-2 level name ({@code top}, {@code bottom}, ...), or null
     * @param manager a manager for the temporary arrays
     * @throws IOException on failure
     */
    public void write(Path dir, String prefix, String level, NDManager manager) throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Npy.write(dir.resolve(codesFile(prefix, level)), m.create(codes, new Shape(count(), height, width)));
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
        return read(dir, prefix, null, manager);
    }

    /**
     * Reads a split (of one level) written by {@link #write(Path, String, String, NDManager)}.
     *
     * @param dir the directory
     * @param prefix {@code train} or {@code test}
     * @param level a VQ-VAE-2 level name, or null
     * @param manager a manager for the temporary arrays
     * @return the code set
     * @throws IOException if files are missing or malformed
     */
    public static CodeSet read(Path dir, String prefix, String level, NDManager manager) throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Path codesFile = dir.resolve(codesFile(prefix, level));
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
