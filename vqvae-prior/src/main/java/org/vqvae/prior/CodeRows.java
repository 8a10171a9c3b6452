package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.vqvae.core.io.HostArrays;

/** Cuts bands of rows out of a batch of code maps held on the host, for the row-by-row samplers. */
public final class CodeRows {

    private CodeRows() {}

    /**
     * Returns rows {@code [from, to)} of every map.
     *
     * @param codes {@code [n * h * w]} codes, map after map in raster order
     * @param n maps
     * @param h map height
     * @param w map width
     * @param from first row
     * @param to end row, exclusive
     * @param manager owner of the result
     * @return {@code [n, to - from, w]} int64
     */
    public static NDArray band(long[] codes, int n, int h, int w, int from, int to, NDManager manager) {
        int rows = to - from;
        long[] part = new long[n * rows * w];
        for (int s = 0; s < n; s++) {
            System.arraycopy(codes, (s * h + from) * w, part, s * rows * w, rows * w);
        }
        return HostArrays.longs(manager, part, new Shape(n, rows, w));
    }
}
