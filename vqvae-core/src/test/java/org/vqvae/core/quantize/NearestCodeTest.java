package org.vqvae.core.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

class NearestCodeTest {

    /** The chosen code is the brute-force nearest: same distance, and the same index where unambiguous. */
    @ParameterizedTest
    @CsvSource({"1, 300, 8", "7, 300, 8", "512, 400, 64", "8192, 256, 64"})
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
}
