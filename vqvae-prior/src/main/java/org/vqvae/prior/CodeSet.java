package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.vqvae.core.io.HostArrays;
import org.vqvae.core.io.MappedNpy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Labelled integer code maps: what a prior trains on. The maps live in a {@link CodeMaps} store, in
 * memory or memory-mapped from {@code .npy} files far larger than memory; only the maps of a batch
 * are ever gathered. For a VQ-VAE-2 level below the top it also holds, per map, the code map of
 * the level above, which conditions that level's prior. Labels are held in memory (8 bytes a map).
 *
 * <p>A set returned by {@link #check(CodePrior, String)} checks the codes of every batch as it
 * gathers them, because scanning billions of mapped codes before training would take long.
 */
public final class CodeSet {

    private final CodeMaps codes;
    private final long[] labels;
    private final CodeMaps condition;
    /** Codes must be below these (checked per batch); 0: not checked. */
    private final int codeLimit;
    private final int conditionLimit;
    private final String what;

    private CodeSet(CodeMaps codes, long[] labels, CodeMaps condition, int codeLimit, int conditionLimit,
            String what) {
        if (codes.count() != labels.length) {
            throw new IllegalArgumentException(labels.length + " labels do not match " + codes.count() + " maps of "
                    + codes.source());
        }
        if (condition != null && condition.count() != labels.length) {
            throw new IllegalArgumentException(labels.length + " maps do not match " + condition.count()
                    + " conditioning maps of " + condition.source());
        }
        this.codes = codes;
        this.labels = labels;
        this.condition = condition;
        this.codeLimit = codeLimit;
        this.conditionLimit = conditionLimit;
        this.what = what;
    }

    /**
     * Labelled maps, optionally conditioned on the maps of the level above.
     *
     * @param codes the maps
     * @param labels one class per map
     * @param condition the level above's maps, one per map, or null
     */
    public CodeSet(CodeMaps codes, long[] labels, CodeMaps condition) {
        this(codes, labels, condition, 0, 0, null);
    }

    /**
     * Maps held in memory, conditioned on the level above.
     *
     * @param codes {@code [N, H, W]} row-major codes
     * @param labels one class per map
     * @param height H
     * @param width W
     * @param condition {@code [N, Hc, Wc]} codes of the level above, or null
     * @param conditionHeight Hc (0 without condition)
     * @param conditionWidth Wc (0 without condition)
     */
    public CodeSet(long[] codes, long[] labels, int height, int width, long[] condition, int conditionHeight,
            int conditionWidth) {
        this(inMemory(codes, labels.length, height, width, "codes"), labels,
                condition == null ? null : inMemory(condition, labels.length, conditionHeight, conditionWidth,
                        "conditioning codes"));
    }

    /**
     * Unconditioned maps held in memory.
     *
     * @param codes {@code [N, H, W]} row-major codes
     * @param labels one class per map
     * @param height H
     * @param width W
     */
    public CodeSet(long[] codes, long[] labels, int height, int width) {
        this(codes, labels, height, width, null, 0, 0);
    }

    private static CodeMaps inMemory(long[] codes, int n, int height, int width, String name) {
        if ((long) n * height * width != codes.length) {
            throw new IllegalArgumentException(n + " labels do not match " + codes.length + " " + name + " of "
                    + height + "x" + width + " maps");
        }
        return CodeMaps.of(codes, height, width);
    }

    /**
     * Returns these maps conditioned on the maps of the level above (same images, same order).
     *
     * @param above the level above
     * @return the conditioned set
     */
    public CodeSet conditionedOn(CodeSet above) {
        if (above.count() != count() || !Arrays.equals(above.labels, labels)) {
            throw new IllegalArgumentException("the level above holds " + above.count()
                    + " maps with other labels: not the same images");
        }
        return new CodeSet(codes, labels, above.codes, codeLimit, 0, what);
    }

    /** The maps. */
    public CodeMaps codes() {
        return codes;
    }

    /** One class per map (the array itself). */
    public long[] labels() {
        return labels;
    }

    /** The level above's maps, or null. */
    public CodeMaps condition() {
        return condition;
    }

    /** H. */
    public int height() {
        return codes.height();
    }

    /** W. */
    public int width() {
        return codes.width();
    }

    /** Hc, the height of the level above's maps (0 without condition). */
    public int conditionHeight() {
        return condition == null ? 0 : condition.height();
    }

    /** Wc, the width of the level above's maps (0 without condition). */
    public int conditionWidth() {
        return condition == null ? 0 : condition.width();
    }

    /** Number of maps. */
    public int count() {
        return labels.length;
    }

    /**
     * Gathers maps {@code idx} (and nothing else) as arrays; a checked set checks their codes.
     *
     * @param manager the manager of the arrays
     * @param idx map indices
     * @return {@code NDList(codes [n, H, W] int64, labels [n] int64[, condition [n, Hc, Wc]])}
     * @throws IllegalArgumentException if a checked set meets a code out of range
     */
    public NDList batch(NDManager manager, int[] idx) {
        long[] l = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = labels[idx[i]];
        }
        NDList out = new NDList(gather(manager, codes, idx, codeLimit, what), HostArrays.longs(manager, l, new Shape(l.length)));
        if (condition != null) {
            out.add(gather(manager, condition, idx, conditionLimit, what + " (level above)"));
        }
        return out;
    }

    private static NDArray gather(NDManager manager, CodeMaps maps, int[] idx, int limit, String what) {
        int per = maps.mapSize();
        long[] c = new long[Math.multiplyExact(idx.length, per)];
        for (int i = 0; i < idx.length; i++) {
            maps.read(idx[i], c, i * per);
            if (limit > 0) {
                checkMap(c, i * per, per, limit, maps, idx[i], what);
            }
        }
        return HostArrays.longs(manager, c, new Shape(idx.length, maps.height(), maps.width()));
    }

    private static void checkMap(long[] c, int from, int n, int limit, CodeMaps maps, int map, String what) {
        for (int j = from; j < from + n; j++) {
            if (c[j] < 0 || c[j] >= limit) {
                throw new IllegalArgumentException(what + ": map " + map + " of " + maps.source() + " holds code "
                        + c[j] + ", outside [0, " + limit + ")");
            }
        }
    }

    /**
     * Checks every label is in {@code [0, classes)} and, for maps held in memory, every code in
     * {@code [0, k)}; returns this set, which then checks the codes of each batch it gathers.
     *
     * @param k the number of code values
     * @param classes the number of classes
     * @param what the name used in messages
     * @return the checking set
     */
    public CodeSet check(int k, int classes, String what) {
        if (codes.inMemory()) {
            checkAll(codes, k, what);
        }
        for (long l : labels) {
            if (l < 0 || l >= classes) {
                throw new IllegalArgumentException(what + " holds class " + l + ", outside [0, " + classes + ")");
            }
        }
        return new CodeSet(codes, labels, condition, k, conditionLimit, what);
    }

    /**
     * Checks the maps fit a prior: their size, classes and, for a conditioned prior, the
     * conditioning maps' size; codes in memory are checked now, mapped ones batch by batch.
     *
     * @param prior the prior
     * @param what the name used in messages
     * @return the set to train on: it checks the codes of each batch it gathers
     */
    public CodeSet check(CodePrior prior, String what) {
        if (height() != prior.height() || width() != prior.width()) {
            throw new IllegalArgumentException(what + " are " + height() + "x" + width() + " maps but the prior models "
                    + prior.height() + "x" + prior.width());
        }
        // a prior that ignores labels takes maps of any class
        CodeSet checked = check(prior.numCodes(), prior.classConditional() ? prior.numClasses() : Integer.MAX_VALUE,
                what);
        if (prior.conditionCodes() == 0) {
            if (condition != null) {
                throw new IllegalArgumentException(what + " carry codes of a level above but the prior is not "
                        + "conditioned on them");
            }
            return checked;
        }
        if (condition == null) {
            throw new IllegalArgumentException("the prior is conditioned on the level above but " + what
                    + " carry no codes of it");
        }
        if (conditionHeight() != prior.conditionHeight() || conditionWidth() != prior.conditionWidth()) {
            throw new IllegalArgumentException(what + " are conditioned on " + conditionHeight() + "x"
                    + conditionWidth() + " maps but the prior on " + prior.conditionHeight() + "x"
                    + prior.conditionWidth());
        }
        if (condition.inMemory()) {
            checkAll(condition, prior.conditionCodes(), what + " (level above)");
        }
        return new CodeSet(codes, labels, condition, prior.numCodes(), prior.conditionCodes(), what);
    }

    private static void checkAll(CodeMaps maps, int k, String what) {
        long[] map = new long[maps.mapSize()];
        for (int m = 0; m < maps.count(); m++) {
            maps.read(m, map, 0);
            for (long c : map) {
                if (c < 0 || c >= k) {
                    throw new IllegalArgumentException(what + " holds code " + c + ", outside [0, " + k + ")");
                }
            }
        }
    }

    /** Largest label plus one. */
    public int numClasses() {
        return (int) Arrays.stream(labels).max().orElse(-1) + 1;
    }

    /** Largest code plus one: a scan of every map, streaming (prefer a count recorded beside the codes). */
    public int maxCodePlusOne() {
        long max = -1;
        long[] map = new long[codes.mapSize()];
        for (int m = 0; m < codes.count(); m++) {
            codes.read(m, map, 0);
            for (long c : map) {
                max = Math.max(max, c);
            }
        }
        return (int) max + 1;
    }

    /**
     * Names the code file of a split and level.
     *
     * @param prefix {@code train} or {@code test}
     * @param level a VQ-VAE-2 level name ({@code top}, {@code bottom}, ...), or null for a VQ-VAE
     * @return {@code PREFIX_LEVEL_codes.npy}, or {@code PREFIX_codes.npy} without a level
     */
    public static String codesFile(String prefix, String level) {
        return level == null ? prefix + "_codes.npy" : prefix + "_" + level + "_codes.npy";
    }

    /**
     * Names the label file of a split.
     *
     * @param prefix {@code train} or {@code test}
     * @return {@code PREFIX_labels.npy}
     */
    public static String labelsFile(String prefix) {
        return prefix + "_labels.npy";
    }

    /**
     * Opens a split of a VQ-VAE's codes: {@code PREFIX_codes.npy}, memory-mapped, and
     * {@code PREFIX_labels.npy}.
     *
     * @param dir the directory
     * @param prefix {@code train} or {@code test}
     * @return the code set
     * @throws IOException if files are missing or malformed
     */
    public static CodeSet read(Path dir, String prefix) throws IOException {
        return read(dir, prefix, null);
    }

    /**
     * Opens a split of one level's codes, {@code PREFIX_LEVEL_codes.npy} (or {@code PREFIX_codes.npy}
     * without a level), memory-mapped, with the labels of {@code PREFIX_labels.npy}. Codes may be
     * stored in any integer type: uint16 as extraction writes them, or int64 as it once did.
     *
     * @param dir the directory
     * @param prefix {@code train} or {@code test}
     * @param level a VQ-VAE-2 level name, or null
     * @return the code set
     * @throws IOException if files are missing or malformed
     */
    public static CodeSet read(Path dir, String prefix, String level) throws IOException {
        CodeMaps codes = CodeMaps.open(dir.resolve(codesFile(prefix, level)));
        Path labelsFile = dir.resolve(labelsFile(prefix));
        MappedNpy labels = MappedNpy.open(labelsFile);
        if (labels.shape().length != 1 || labels.count() != codes.count()) {
            throw new IOException(labelsFile + " must hold " + codes.count() + " integer labels, got "
                    + labels.type().descr() + " " + Arrays.toString(labels.shape()));
        }
        return new CodeSet(codes, labels.readAll(), null);
    }
}
