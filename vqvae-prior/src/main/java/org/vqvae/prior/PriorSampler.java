package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.Random;

/**
 * Ancestral sampling of code maps from a {@link GatedPixelCnn}, position by position in raster
 * order, with temperature, top-k and a seed.
 *
 * <p>The naive sampler recomputes the whole map for every position. The fast sampler computes only
 * what a position needs: the logits of row i depend on rows {@code i - R .. i} alone (R = layers
 * x kernel/2, the vertical receptive field), so it runs the network on that band of rows, which is
 * exact and costs {@code O(R)} rows instead of {@code O(H)} per position. Both draw the same
 * random numbers in the same order, so for one seed they return the same codes.
 */
public final class PriorSampler {

    private final GatedPixelCnn prior;
    private final float temperature;
    private final int topK;
    private final boolean fast;

    /**
     * Creates a sampler.
     *
     * @param prior the trained prior
     * @param temperature logits are divided by it (1 = the model's distribution)
     * @param topK keep only the k most likely codes (0 = all)
     * @param fast compute only the rows a position depends on
     */
    public PriorSampler(GatedPixelCnn prior, float temperature, int topK, boolean fast) {
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
     * Samples one code map per requested class.
     *
     * @param classes the class of each map
     * @param seed the random seed
     * @param manager a manager for temporaries
     * @return {@code [N][H * W]} codes in raster order
     */
    public long[][] sample(long[] classes, long seed, NDManager manager) {
        PixelCnnConfig c = prior.getConfig();
        for (long cls : classes) {
            if (cls < 0 || cls >= c.numClasses()) {
                throw new IllegalArgumentException("class " + cls + " is outside the prior's [0, " + c.numClasses() + ")");
            }
        }
        int n = classes.length;
        int h = c.height();
        int w = c.width();
        int k = c.numCodes();
        long[] codes = new long[n * h * w];
        Random random = new Random(seed);
        for (int i = 0; i < h; i++) {
            int top = fast ? Math.max(0, i - c.receptiveRows()) : 0;
            int bottom = fast ? i + 1 : h;
            int rows = bottom - top;
            for (int j = 0; j < w; j++) {
                float[] logits;
                try (NDManager m = manager.newSubManager()) {
                    long[] band = new long[n * rows * w];
                    for (int s = 0; s < n; s++) {
                        System.arraycopy(codes, (s * h + top) * w, band, s * rows * w, rows * w);
                    }
                    NDArray out = prior.logits(m.create(band, new Shape(n, rows, w)), m.create(classes));
                    logits = out.get(new NDIndex(":, :, {}, {}", i - top, j)).toFloatArray(); // [N, K]
                }
                for (int s = 0; s < n; s++) {
                    codes[(s * h + i) * w + j] = draw(logits, s * k, k, random);
                }
            }
        }
        long[][] result = new long[n][];
        for (int s = 0; s < n; s++) {
            result[s] = Arrays.copyOfRange(codes, s * h * w, (s + 1) * h * w);
        }
        return result;
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
