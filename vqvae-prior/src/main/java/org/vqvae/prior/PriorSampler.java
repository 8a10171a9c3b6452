package org.vqvae.prior;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import java.util.Arrays;
import java.util.Random;

/**
 * Ancestral sampling of code maps from a {@link CodePrior}, position by position in raster
 * order, with temperature, top-k and a seed.
 *
 * <p>The naive sampler recomputes the whole map for every position. The fast sampler computes only
 * what a position needs ({@link CodePrior#rowLogits}): a Gated PixelCNN runs on the band of rows
 * its receptive field covers; PixelSNAIL also caches every block's input rows and each position's
 * attention keys and values once its row is complete. Both draw the same random numbers in the
 * same order, so for one seed they return the same codes.
 */
public final class PriorSampler {

    private final CodePrior prior;
    private final float temperature;
    private final int topK;
    private final boolean fast;

    /**
     * Creates a sampler.
     *
     * @param prior the trained prior
     * @param temperature logits are divided by it (1 = the model's distribution)
     * @param topK keep only the k most likely codes (0 = all)
     * @param fast compute only what each position needs
     */
    public PriorSampler(CodePrior prior, float temperature, int topK, boolean fast) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        }
        this.prior = prior;
        this.temperature = temperature;
        this.topK = topK;
        this.fast = fast;
    }

    /**
     * Samples one code map per requested class from a prior that is not conditioned on codes.
     *
     * @param classes the class of each map
     * @param seed the random seed
     * @param manager a manager for temporaries
     * @return {@code [N][H * W]} codes in raster order
     */
    public long[][] sample(long[] classes, long seed, NDManager manager) {
        return sample(classes, null, seed, manager);
    }

    /**
     * Samples one code map per requested class, given the code maps of the level above when the
     * prior is conditioned on them.
     *
     * @param classes the class of each map
     * @param condition {@code [N][Hc * Wc]} conditioning codes, or null
     * @param seed the random seed
     * @param manager a manager for temporaries
     * @return {@code [N][H * W]} codes in raster order
     */
    public long[][] sample(long[] classes, long[][] condition, long seed, NDManager manager) {
        Random random = new Random(seed);
        return sample(classes, condition, s -> random, manager);
    }

    /**
     * Samples as {@link #sample(long[], long[][], long, NDManager)} does, each map from a random
     * stream of its own: map {@code s} depends on {@code seeds[s]} and not on the maps sampled
     * beside it, so a set split into batches anywhere draws the same codes (the Spark sample job).
     *
     * @param classes the class of each map
     * @param condition {@code [N][Hc * Wc]} conditioning codes, or null
     * @param seeds each map's random seed
     * @param manager a manager for temporaries
     * @return {@code [N][H * W]} codes in raster order
     */
    public long[][] sample(long[] classes, long[][] condition, long[] seeds, NDManager manager) {
        if (seeds.length != classes.length) {
            throw new IllegalArgumentException(seeds.length + " seeds for " + classes.length + " maps");
        }
        Random[] randoms = new Random[seeds.length];
        for (int s = 0; s < seeds.length; s++) {
            randoms[s] = new Random(seeds[s]);
        }
        return sample(classes, condition, s -> randoms[s], manager);
    }

    private long[][] sample(long[] classes, long[][] condition, java.util.function.IntFunction<Random> random,
            NDManager manager) {
        for (long cls : classes) {
            if (cls < 0 || prior.classConditional() && cls >= prior.numClasses()) {
                throw new IllegalArgumentException("class " + cls + " is outside the prior's [0, " + prior.numClasses() + ")");
            }
        }
        long[] cond = flattenCondition(classes.length, condition);
        int n = classes.length;
        int h = prior.height();
        int w = prior.width();
        int k = prior.numCodes();
        long[] codes = new long[n * h * w];
        try (CodePrior.RowLogits rows = prior.rowLogits(classes, cond, fast, manager)) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    float[] logits;
                    try (NDManager m = manager.newSubManager()) {
                        logits = rows.logits(codes, i, m).get(new NDIndex(":, :, {}", j)).toFloatArray(); // [N, K]
                    }
                    for (int s = 0; s < n; s++) {
                        codes[(s * h + i) * w + j] = draw(logits, s * k, k, random.apply(s));
                    }
                }
                rows.finishRow(codes, i);
            }
        }
        long[][] result = new long[n][];
        for (int s = 0; s < n; s++) {
            result[s] = Arrays.copyOfRange(codes, s * h * w, (s + 1) * h * w);
        }
        return result;
    }

    private long[] flattenCondition(int n, long[][] condition) {
        int kc = prior.conditionCodes();
        if (kc == 0) {
            if (condition != null) {
                throw new IllegalArgumentException("this prior is not conditioned on a code map");
            }
            return null;
        }
        int per = prior.conditionHeight() * prior.conditionWidth();
        if (condition == null || condition.length != n) {
            throw new IllegalArgumentException("this prior is conditioned on " + prior.conditionHeight() + "x"
                    + prior.conditionWidth() + " code maps of the level above: pass one per sample");
        }
        long[] flat = new long[n * per];
        for (int s = 0; s < n; s++) {
            if (condition[s].length != per) {
                throw new IllegalArgumentException("conditioning map " + s + " has " + condition[s].length
                        + " codes, expected " + per);
            }
            for (long c : condition[s]) {
                if (c < 0 || c >= kc) {
                    throw new IllegalArgumentException("conditioning code " + c + " is outside [0, " + kc + ")");
                }
            }
            System.arraycopy(condition[s], 0, flat, s * per, per);
        }
        return flat;
    }

    private int draw(float[] logits, int offset, int k, Random random) {
        double[] p = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            p[i] = logits[offset + i] / temperature;
            max = Math.max(max, p[i]);
        }
        double threshold = Double.NEGATIVE_INFINITY;
        if (topK > 0 && topK < k) {
            double[] sorted = p.clone();
            Arrays.sort(sorted);
            threshold = sorted[k - topK];
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = p[i] >= threshold ? Math.exp(p[i] - max) : 0;
            sum += p[i];
        }
        double u = random.nextDouble() * sum;
        double acc = 0;
        for (int i = 0; i < k; i++) {
            acc += p[i];
            if (u < acc) {
                return i;
            }
        }
        for (int i = k - 1; i >= 0; i--) {
            if (p[i] > 0) {
                return i;
            }
        }
        return 0;
    }
}
