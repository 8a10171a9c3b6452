package org.vqvae.core.quantize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

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
     * code of a row and is dropped. The rest is one fused product-plus-bias ({@link
     * Linear#linear}: {@code z (-2e)^T + ||e||^2}), so no {@code M x K x D} tensor is formed and
     * the scores are written once. On the CPU the rows go through in blocks whose scores are still
     * in cache when the minimum reads them ({@link #blockRows}), each block's scores freed before
     * the next; large codebooks take their minimum in two stages ({@link #firstArgMax}). Ties go to
     * the lowest index, as {@code argmin} gives them. No gradient is recorded.
     *
     * @param flat {@code [M, D]} vectors
     * @param codebook {@code [K, D]} codebook
     * @return {@code [M]} int64 code indices in {@code [0, K)}
     */
    public static NDArray nearestCodes(NDArray flat, NDArray codebook) {
        NDArray z = flat.stopGradient();
        NDArray e = codebook.stopGradient();
        NDManager manager = flat.getManager();
        // results follow their first operand's manager: keep them out of the parameters' manager
        e.attach(manager);
        long m = z.getShape().get(0);
        long k = e.getShape().get(0);
        boolean gpu = z.getDevice().isGpu();
        long block = blockRows(k, gpu);
        long chunk = gpu ? 0 : twoStageChunk(k);
        // the two-stage search maximises the negated scores, z (2e)^T - ||e||^2, exactly the
        // negation of the scores (the same products and sums with the sign flipped)
        float sign = chunk > 0 ? -1f : 1f;
        NDArray codes = e.mul(-2f * sign); // [K, D]; -2 folded into the small operand
        NDArray norms = e.square().sum(new int[] {1}).muli(sign); // [K], the product's bias
        NDList parts = new NDList();
        for (long from = 0; from < m; from += block) {
            // a block's scores are freed before the next block's are made: the next block reuses the
            // memory instead of touching fresh pages (N x K floats in all, 2 GB at N = 65536, K = 8192)
            try (NDManager blockManager = manager.newSubManager()) {
                blockManager.tempAttachAll(z);
                NDArray rows = from == 0 && block >= m ? z : z.get(new NDIndex("{}:{}", from, Math.min(m, from + block)));
                NDArray scores = Linear.linear(rows, codes, norms).singletonOrThrow();
                NDArray nearest = chunk > 0 ? firstArgMax(scores, chunk) : scores.argMin(1);
                nearest.attach(manager);
                parts.add(nearest);
            }
        }
        return parts.size() == 1 ? parts.head() : NDArrays.concat(parts);
    }

    /**
     * Row-wise {@code argmax} of {@code [R, K]} values in two stages: the maximum of every chunk of
     * {@code chunk} columns by a max pooling (libtorch's pooling kernel, which computes no indices
     * without a gradient, reads a 512 x 8192 block about three times as fast as its {@code argmax}
     * and twice as fast as its {@code min(dim)}), the first chunk holding the row's maximum, then
     * {@code argmax} within that chunk alone. The result is exactly {@code argmax}'s, ties included: the first chunk that holds the
     * maximum holds its first occurrence.
     *
     * @param values {@code [R, K]}, recording no gradient
     * @param chunk columns per chunk, dividing K
     * @return {@code [R]} int64 column indices
     */
    static NDArray firstArgMax(NDArray values, long chunk) {
        long r = values.getShape().get(0);
        long k = values.getShape().get(1);
        Shape window = new Shape(chunk);
        NDArray maxima = Pool.maxPool1d(values.reshape(1, r, k), window, window, new Shape(0), false).reshape(r, k / chunk);
        NDArray best = maxima.argMax(1); // [R]: the first chunk holding the maximum
        NDArray chunks = values.reshape(r, k / chunk, chunk);
        NDArray within = chunks.gather(best.reshape(r, 1, 1).broadcast(r, 1, chunk), 1).reshape(r, chunk).argMax(1);
        return best.muli(chunk).addi(within);
    }

    /** Columns per chunk of the two-stage search. */
    private static final long TWO_STAGE_CHUNK = 64;
    /**
     * Smallest codebook searched in two stages: at K = 2048 they take half of one {@code argmin}'s
     * time, at K = 512 as long (measured on 2 threads over 16 MB blocks).
     */
    private static final long TWO_STAGE_MIN_CODES = 2048;

    /**
     * The chunk of the two-stage search for a K-code codebook, or 0 where one {@code argmin} is
     * used (K below {@link #TWO_STAGE_MIN_CODES}, or not a multiple of the chunk).
     *
     * @param k codebook size
     * @return columns per chunk, or 0
     */
    static long twoStageChunk(long k) {
        return k >= TWO_STAGE_MIN_CODES && k % TWO_STAGE_CHUNK == 0 ? TWO_STAGE_CHUNK : 0;
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
