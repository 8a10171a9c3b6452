package org.vqvae.core.quantize;

import java.util.Random;

/**
 * k-means++ seeding (Arthur and Vassilvitskii 2007) followed by Lloyd iterations, on the host:
 * used once, on the first training batch, to start a codebook where the encoder outputs are.
 */
public final class KMeans {

    private KMeans() {}

    /**
     * Clusters rows of {@code data} into k centres.
     *
     * @param data {@code m x d} row-major
     * @param m rows
     * @param d columns
     * @param k centres (may exceed m: extra centres copy random rows)
     * @param iterations Lloyd iterations after seeding
     * @param random the random source
     * @return {@code k x d} centres, row-major
     */
    public static float[] fit(float[] data, int m, int d, int k, int iterations, Random random) {
        float[] centres = new float[k * d];
        double[] nearest = new double[m];
        java.util.Arrays.fill(nearest, Double.MAX_VALUE);
        int first = random.nextInt(m);
        System.arraycopy(data, first * d, centres, 0, d);
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < m; i++) {
                nearest[i] = Math.min(nearest[i], distance(data, i, centres, c - 1, d));
                total += nearest[i];
            }
            int pick = random.nextInt(m);
            if (total > 0) {
                double u = random.nextDouble() * total;
                double acc = 0;
                for (int i = 0; i < m; i++) {
                    acc += nearest[i];
                    if (acc >= u) {
                        pick = i;
                        break;
                    }
                }
            }
            System.arraycopy(data, pick * d, centres, c * d, d);
        }
        int[] assign = new int[m];
        for (int it = 0; it < iterations; it++) {
            double[] sums = new double[k * d];
            int[] counts = new int[k];
            for (int i = 0; i < m; i++) {
                int best = 0;
                double bestD = Double.MAX_VALUE;
                for (int c = 0; c < k; c++) {
                    double dist = distance(data, i, centres, c, d);
                    if (dist < bestD) {
                        bestD = dist;
                        best = c;
                    }
                }
                assign[i] = best;
                counts[best]++;
                for (int j = 0; j < d; j++) {
                    sums[best * d + j] += data[i * d + j];
                }
            }
            for (int c = 0; c < k; c++) {
                if (counts[c] > 0) {
                    for (int j = 0; j < d; j++) {
                        centres[c * d + j] = (float) (sums[c * d + j] / counts[c]);
                    }
                }
            }
        }
        return centres;
    }

    private static double distance(float[] data, int row, float[] centres, int c, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            double diff = data[row * d + j] - centres[c * d + j];
            s += diff * diff;
        }
        return s;
    }
}
