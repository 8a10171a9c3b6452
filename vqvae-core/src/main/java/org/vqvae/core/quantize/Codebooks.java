package org.vqvae.core.quantize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/**
 * Functional forms of vector quantisation (as DJL's {@code Linear.linear} sits beside its block):
 * nearest-code search and codebook lookup, usable and testable without any block machinery.
 */
public final class Codebooks {

    private Codebooks() {}

    /**
     * Returns, for every row of {@code flat}, the index of the nearest codebook row in squared L2.
     *
     * <p>Uses {@code ||z - e||^2 = ||z||^2 - 2 z.e + ||e||^2}; {@code ||z||^2} is the same for every
     * code of a row and is dropped. The rest is one matrix product with {@code -2e} plus the code
     * norms, so no {@code M x K x D} tensor is formed. On the CPU the rows go through in blocks
     * whose scores are still in cache when the norms are added and the argmin reads them ({@link
     * #blockRows}). No gradient is recorded.
     *
     * @param flat {@code [M, D]} vectors
     * @param codebook {@code [K, D]} codebook
     * @return {@code [M]} int64 code indices in {@code [0, K)}
     */
    public static NDArray nearestCodes(NDArray flat, NDArray codebook) {
        NDArray z = flat.stopGradient();
        NDArray e = codebook.stopGradient();
        // results follow their first operand's manager: keep them out of the parameters' manager
        e.attach(flat.getManager());
        long m = z.getShape().get(0);
        long k = e.getShape().get(0);
        NDArray codes = e.mul(-2f).transpose(); // [D, K]; -2 folded into the small operand
        NDArray norms = e.square().sum(new int[] {1}); // [K]
        long block = blockRows(k, z.getDevice().isGpu());
        NDList parts = new NDList();
        for (long from = 0; from < m; from += block) {
            NDArray rows = z.get(new NDIndex("{}:{}", from, Math.min(m, from + block)));
            // the block's scores are still in cache when the norms are added and the argmin reads them
            parts.add(rows.matMul(codes).addi(norms).argMin(1));
        }
        return parts.size() == 1 ? parts.head() : NDArrays.concat(parts);
    }

    /** Bytes of scores per CPU block: 16 MB unless {@code -Dvqvae.quantizer.blockBytes} says otherwise. */
    private static final long CPU_BLOCK_BYTES = Long.getLong("vqvae.quantizer.blockBytes", 1L << 24);
    /** Scores per GPU block: blocks there only bound the memory. */
    private static final long GPU_BLOCK_SCORES = 1L << 28;

    /**
     * Rows per block of the nearest-code search: on the CPU, a block's {@code rows x K} float
     * scores take about {@link #CPU_BLOCK_BYTES} bytes; on a GPU, blocks only bound the memory
     * ({@link #GPU_BLOCK_SCORES} scores).
     *
     * @param k codebook size
     * @param gpu whether the search runs on a GPU
     * @return rows per block
     */
    static long blockRows(long k, boolean gpu) {
        return Math.max(1, (gpu ? GPU_BLOCK_SCORES : CPU_BLOCK_BYTES / 4) / k);
    }

    /**
     * Looks codes up in the codebook; differentiable with respect to the codebook.
     *
     * @param codes int64 indices of any shape {@code S}
     * @param codebook {@code [K, D]}
     * @return {@code S + [D]}
     */
    public static NDArray lookup(NDArray codes, NDArray codebook) {
        NDArray idx = codes.getDataType() == DataType.INT64 ? codes : codes.toType(DataType.INT64, false);
        return idx.getNDArrayInternal().embedding(idx, codebook, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Flattens an encoder output map to rows and finds the nearest codes.
     *
     * @param z {@code [N, D, H, W]} encoder output
     * @param codebook {@code [K, D]}
     * @return the lookup, with the codebook rows still differentiable
     */
    public static Quantization quantize(NDArray z, NDArray codebook) {
        Shape shape = z.getShape();
        if (shape.dimension() != 4 || shape.get(1) != codebook.getShape().get(1)) {
            throw new IllegalArgumentException(
                    "expected an [N, " + codebook.getShape().get(1) + ", H, W] map, got " + shape);
        }
        NDArray flat = z.transpose(0, 2, 3, 1).reshape(-1, shape.get(1));
        NDArray codes = nearestCodes(flat, codebook);
        return new Quantization(flat, codes, lookup(codes, codebook), shape);
    }

    /**
     * Counts how often each code occurs.
     *
     * @param codes int64 codes of any shape, values in {@code [0, k)}
     * @param k codebook size
     * @return per-code counts
     */
    public static long[] counts(NDArray codes, int k) {
        long[] counts = new long[k];
        for (long c : codes.toType(DataType.INT64, false).toLongArray()) {
            counts[(int) c]++;
        }
        return counts;
    }

    /**
     * Returns the perplexity {@code exp(H(p))} of the code distribution given by counts: 1 when a
     * single code is used, K when all are used equally.
     *
     * @param counts per-code counts
     * @return the perplexity
     */
    public static double perplexity(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        double entropy = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                entropy -= p * Math.log(p);
            }
        }
        return Math.exp(entropy);
    }

    /**
     * Returns the fraction of codes used at least once.
     *
     * @param counts per-code counts
     * @return a value in [0, 1]
     */
    public static double usage(long[] counts) {
        long used = 0;
        for (long c : counts) {
            if (c > 0) {
                used++;
            }
        }
        return counts.length == 0 ? 0 : (double) used / counts.length;
    }
}
