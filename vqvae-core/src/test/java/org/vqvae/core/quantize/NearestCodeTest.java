package org.vqvae.core.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

class NearestCodeTest {

    /** The chosen code is the brute-force nearest: same distance, and the same index where unambiguous. */
    @ParameterizedTest
    @CsvSource({"1, 300, 8", "7, 300, 8", "512, 400, 64", "8192, 256, 64", "8192, 1100, 16", "2048, 3000, 8", "2050, 200, 8"})
    void matchesBruteForce(int k, int m, int d) {
        Random rnd = new Random(k * 31L + m);
        float[] z = new float[m * d];
        float[] e = new float[k * d];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) rnd.nextGaussian();
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray flat = manager.create(z, new Shape(m, d));
            NDArray codebook = manager.create(e, new Shape(k, d));
            long[] chosen = Codebooks.nearestCodes(flat, codebook).toLongArray();
            assertEquals(m, chosen.length);
            int exact = 0;
            for (int i = 0; i < m; i++) {
                double best = Double.MAX_VALUE;
                double second = Double.MAX_VALUE;
                int arg = -1;
                for (int c = 0; c < k; c++) {
                    double dist = 0;
                    for (int j = 0; j < d; j++) {
                        double diff = z[i * d + j] - e[c * d + j];
                        dist += diff * diff;
                    }
                    if (dist < best) {
                        second = best;
                        best = dist;
                        arg = c;
                    } else if (dist < second) {
                        second = dist;
                    }
                }
                double got = 0;
                for (int j = 0; j < d; j++) {
                    double diff = z[i * d + j] - e[(int) chosen[i] * d + j];
                    got += diff * diff;
                }
                double tol = 1e-4 * (1 + best);
                assertTrue(got <= best + tol, "row " + i + ": chose distance " + got + ", nearest is " + best);
                if (second - best > tol) {
                    assertEquals(arg, chosen[i], "row " + i);
                    exact++;
                }
            }
            assertTrue(exact >= m * 0.95, "too few unambiguous rows: " + exact);
        }
    }

    /** The two-stage search equals one argmax exactly, ties included (values drawn from 5 levels tie everywhere). */
    @ParameterizedTest
    @CsvSource({"8192, 64", "4096, 256", "2048, 64", "1024, 32", "512, 512"})
    void twoStageArgMaxIsArgMax(int k, int chunk) {
        Random rnd = new Random(k);
        int rows = 97;
        float[] values = new float[rows * k];
        for (int i = 0; i < values.length; i++) {
            values[i] = rnd.nextInt(5) - 2f;
        }
        for (int c = 0; c < k; c += 3) {
            values[(rnd.nextInt(rows)) * k + c] = Float.POSITIVE_INFINITY; // rows whose maximum sits anywhere
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray s = manager.create(values, new Shape(rows, k));
            long[] got = Codebooks.firstArgMax(s, chunk).toLongArray();
            for (int r = 0; r < rows; r++) {
                int first = 0;
                for (int c = 1; c < k; c++) {
                    if (values[r * k + c] > values[r * k + first]) {
                        first = c;
                    }
                }
                assertEquals(first, got[r], "row " + r);
            }
        }
    }

    /** With duplicated codes, as restarts can make, every row gets the lowest index of its nearest code's copies. */
    @Test
    void duplicatedCodesGoToTheLowestIndex() {
        int k = 8192;
        int d = 16;
        int m = 200;
        Random rnd = new Random(5);
        float[] e = new float[k * d];
        for (int c = 0; c < k; c++) {
            int source = c < 64 ? c : rnd.nextInt(64); // codes 64.. copy one of the first 64
            for (int j = 0; j < d; j++) {
                e[c * d + j] = source == c ? (float) rnd.nextGaussian() : e[source * d + j];
            }
        }
        float[] z = new float[m * d];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) rnd.nextGaussian();
        }
        assertTrue(Codebooks.twoStageChunk(k) > 0, "K=8192 takes the two-stage search");
        try (NDManager manager = NDManager.newBaseManager()) {
            long[] got = Codebooks.nearestCodes(manager.create(z, new Shape(m, d)), manager.create(e, new Shape(k, d)))
                    .toLongArray();
            for (int i = 0; i < m; i++) {
                assertTrue(got[i] < 64, "row " + i + " chose copy " + got[i] + " instead of the first");
            }
        }
    }
}
