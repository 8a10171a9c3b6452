package org.vqvae.core.quantize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Linear;

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
     * in cache when the minimum reads them ({@link #blockRows}); large codebooks take their minimum
     * in two stages ({@link #firstArgMin}). Ties go to the lowest index, as {@code argmin} gives
     * them. No gradient is recorded.
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
        NDArray codes = e.mul(-2f); // [K, D]; -2 folded into the small operand
        NDArray norms = e.square().sum(new int[] {1}); // [K], the product's bias
        boolean gpu = z.getDevice().isGpu();
        long block = blockRows(k, gpu);
        long chunk = gpu ? 0 : argMinChunk(k);
        NDList parts = new NDList();
        for (long from = 0; from < m; from += block) {
            NDArray rows = from == 0 && block >= m ? z : z.get(new NDIndex("{}:{}", from, Math.min(m, from + block)));
            NDArray scores = Linear.linear(rows, codes, norms).singletonOrThrow();
            parts.add(chunk > 0 ? firstArgMin(scores, chunk) : scores.argMin(1));
        }
        return parts.size() == 1 ? parts.head() : NDArrays.concat(parts);
    }

    /**
     * Row-wise {@code argmin} of {@code [R, K]} scores in two stages: the minimum of every chunk of
     * {@code chunk} columns (libtorch's {@code min(dim)} reads a row more than twice as fast as its
     * {@code argmin}), the first chunk holding the row's minimum, then {@code argmin} within that
     * chunk alone. The result is exactly {@code argmin}'s, ties included: the first chunk that holds
     * the minimum holds its first occurrence.
     *
     * @param scores {@code [R, K]}
     * @param chunk columns per chunk, dividing K
     * @return {@code [R]} int64 column indices
     */
    static NDArray firstArgMin(NDArray scores, long chunk) {
        long r = scores.getShape().get(0);
        long k = scores.getShape().get(1);
        NDArray chunks = scores.reshape(r, k / chunk, chunk);
        NDArray best = chunks.min(new int[] {2}).argMin(1); // [R]: the first chunk holding the minimum
        NDArray within = chunks.gather(best.reshape(r, 1, 1).broadcast(r, 1, chunk), 1).reshape(r, chunk).argMin(1);
        return best.muli(chunk).addi(within);
    }

    /** Columns per chunk of the two-stage argmin. */
    private static final long ARGMIN_CHUNK = 256;
    /** Smallest codebook searched in two stages; below it one {@code argmin} is as fast (measured). */
    private static final long TWO_STAGE_MIN_CODES = 4096;

    /**
     * The chunk of the two-stage argmin for a K-code codebook, or 0 where one {@code argmin} is
     * used (K below {@link #TWO_STAGE_MIN_CODES}, or not a multiple of the chunk).
     *
     * @param k codebook size
     * @return columns per chunk, or 0
     */
    static long argMinChunk(long k) {
        return k >= TWO_STAGE_MIN_CODES && k % ARGMIN_CHUNK == 0 ? ARGMIN_CHUNK : 0;
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
