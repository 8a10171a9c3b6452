package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import org.vqvae.core.io.HostArrays;

/**
 * An autoregressive, class-conditional prior over {@code height x width} maps of K-valued codes,
 * optionally also conditioned on a coarser code map (VQ-VAE-2's bottom prior, given the top codes).
 * The logits at a position depend only on the codes before it in raster order. A prior that is not
 * class-conditional ({@link #classConditional()} false, e.g. an imported rosinality PixelSNAIL)
 * takes labels and ignores them.
 *
 * <p>Its forward input is {@code NDList(codes [N, H, W], labels [N])}, plus {@code condition [N,
 * Hc, Wc]} when {@link #conditionCodes()} is non-zero; the output is {@code NDList(logits [N, K,
 * H, W])}.
 */
public interface CodePrior extends Block {

    /**
     * Returns the configuration that rebuilds this prior.
     *
     * @return the configuration
     */
    PriorConfig priorConfig();

    /** K, the number of code values. */
    default int numCodes() {
        return priorConfig().numCodes();
    }

    /** Number of classes it is conditioned on. */
    default int numClasses() {
        return priorConfig().numClasses();
    }

    /** Whether its logits depend on the class label (when not, labels are ignored). */
    default boolean classConditional() {
        return priorConfig().classConditional();
    }

    /** Height of the code maps it models. */
    default int height() {
        return priorConfig().height();
    }

    /** Width of the code maps it models. */
    default int width() {
        return priorConfig().width();
    }

    /**
     * Rows above a position its logits can depend on (a sampler may drop rows above that band).
     *
     * @return the vertical receptive field; {@link #height()} or more when it sees every row
     */
    default int receptiveRows() {
        return priorConfig().receptiveRows();
    }

    /**
     * Returns the configuration JSON (tagged with its architecture) that rebuilds this prior.
     *
     * @return JSON text
     */
    default String configJson() {
        return priorConfig().toJson();
    }

    /**
     * Creates the parameters when not yet done.
     *
     * @param manager the manager owning them
     * @return this prior
     */
    CodePrior initialize(NDManager manager);

    /** K of the code map it is conditioned on; 0 when it is not. */
    default int conditionCodes() {
        return priorConfig().conditionCodes();
    }

    /** Height of the conditioning code map (0 when none). */
    default int conditionHeight() {
        return priorConfig().conditionHeight();
    }

    /** Width of the conditioning code map (0 when none). */
    default int conditionWidth() {
        return priorConfig().conditionWidth();
    }

    /**
     * Returns the logits of a batch in inference mode.
     *
     * @param codes {@code [N, H, W]} codes
     * @param labels {@code [N]} classes
     * @param condition {@code [N, Hc, Wc]} conditioning codes, or null when unconditioned
     * @return {@code [N, K, H, W]}
     */
    default NDArray logits(NDArray codes, NDArray labels, NDArray condition) {
        NDList in = new NDList(codes, labels);
        if (condition != null) {
            in.add(condition);
        }
        return forward(new ParameterStore(codes.getManager(), false), in, false).singletonOrThrow();
    }

    /**
     * Returns the logits of an unconditioned prior.
     *
     * @param codes {@code [N, H, W]}
     * @param labels {@code [N]}
     * @return {@code [N, K, H, W]}
     */
    default NDArray logits(NDArray codes, NDArray labels) {
        return logits(codes, labels, null);
    }

    /**
     * Evaluates the logits one row at a time for ancestral sampling.
     *
     * @param labels the class of each map
     * @param condition {@code [N * Hc * Wc]} conditioning codes, or null
     * @param fast compute only what a row needs (else the whole map every time)
     * @param manager owner of anything cached across rows
     * @return the evaluator
     */
    default RowLogits rowLogits(long[] labels, long[] condition, boolean fast, NDManager manager) {
        int n = labels.length;
        int h = height();
        int w = width();
        // without code conditioning the rows above the receptive field can be dropped exactly
        boolean band = fast && conditionCodes() == 0;
        return (codes, row, m) -> {
            int top = band ? Math.max(0, row - receptiveRows()) : 0;
            int bottom = band ? row + 1 : h;
            NDArray cond = condition == null ? null
                    : HostArrays.longs(m, condition, new Shape(n, conditionHeight(), conditionWidth()));
            NDArray out = logits(CodeRows.band(codes, n, h, w, top, bottom, m),
                    HostArrays.longs(m, labels, new Shape(n)), cond);
            return out.get(new NDIndex(":, :, {}, :", row - top));
        };
    }

    /** Row-by-row logits for a sampler; closing it frees what it cached. */
    interface RowLogits extends AutoCloseable {

        /**
         * Returns the logits of one row.
         *
         * @param codes {@code [N * H * W]} codes sampled so far (later positions hold anything)
         * @param row the row
         * @param manager owner of the result and temporaries
         * @return {@code [N, K, W]}; column j is exact once every position before (row, j) is set
         */
        NDArray logits(long[] codes, int row, NDManager manager);

        /**
         * Tells the evaluator a row is complete (a caching evaluator stores what later rows reuse).
         *
         * @param codes the codes with the row complete
         * @param row the row
         */
        default void finishRow(long[] codes, int row) {}

        @Override
        default void close() {}
    }
}
