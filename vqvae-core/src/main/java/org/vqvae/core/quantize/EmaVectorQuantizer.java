package org.vqvae.core.quantize;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;

/**
 * Vector quantizer whose codebook follows exponential moving averages of the encoder outputs
 * assigned to each code (paper, appendix A.1), instead of the codebook loss. The codebook gets no
 * gradient; the loss is the commitment term {@code beta ||z - sg[e]||^2} alone.
 *
 * <p>At every training forward pass, with one-hot assignments {@code r} ({@code [M, K]}):
 *
 * <pre>
 *   N_k   = decay * N_k + (1 - decay) * sum_i r_ik
 *   m_k   = decay * m_k + (1 - decay) * sum_i r_ik z_i
 *   N'_k  = (N_k + eps) / (sum_j N_j + K eps) * sum_j N_j     (Laplace smoothing)
 *   e_k   = m_k / N'_k
 * </pre>
 *
 * The running counts and sums are parameters that never require gradients, as in {@code
 * BatchNorm}'s running statistics, so they are saved with the model. They start as one
 * pseudo-observation of every code at its initial position ({@code N_k = 1}, {@code m_k = e_k}):
 * started at {@code N_k = 0} instead, every code left unused by the first batch is divided by
 * epsilon, lands ~1e5 times too far out and never wins again (the whole codebook collapses to a
 * handful of codes on MNIST); with the pseudo-count an unused code keeps its place.
 */
public class EmaVectorQuantizer extends VectorQuantizer {

    private final float decay;
    private final float epsilon;
    private final Parameter clusterSize;
    private final Parameter embedSum;

    EmaVectorQuantizer(Builder builder) {
        super(builder);
        decay = builder.decay;
        epsilon = builder.epsilon;
        clusterSize =
                addParameter(
                        Parameter.builder()
                                .setName("emaClusterSize")
                                .setType(Parameter.Type.RUNNING_MEAN)
                                .optShape(new Shape(numCodes))
                                .optInitializer(Initializer.ONES)
                                .optRequiresGrad(false)
                                .build());
        embedSum =
                addParameter(
                        Parameter.builder()
                                .setName("emaEmbedSum")
                                .setType(Parameter.Type.RUNNING_MEAN)
                                .optShape(new Shape(numCodes, codeDim))
                                .optInitializer(Initializer.ZEROS)
                                .optRequiresGrad(false)
                                .build());
    }

    /**
     * Returns a builder for the EMA quantizer.
     *
     * @return a new builder
     */
    public static Builder emaBuilder() {
        return new Builder();
    }

    @Override
    protected boolean codebookLearnsByGradient() {
        return false;
    }

    /** {@inheritDoc} */
    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        boolean fresh = !isInitialized();
        super.initialize(manager, dataType, inputShapes);
        if (fresh) {
            // the running sums start at the initial codebook (as Sonnet and rosinality do)
            embedSum.getArray().set(new NDIndex(":"), codebook.getArray());
        }
    }

    @Override
    protected void replaceCodes(ParameterStore ps, NDArray mask, NDArray replacement) {
        super.replaceCodes(ps, mask, replacement);
        // a restarted code starts afresh: one pseudo-observation at its new position
        NDArray n = ps.getValue(clusterSize, mask.getDevice(), true);
        NDArray m = ps.getValue(embedSum, mask.getDevice(), true);
        NDArray keep = mask.neg().add(1f);
        NDArray flatMask = mask.reshape(-1);
        n.set(new NDIndex(":"), flatMask.neg().add(1f).mul(n).add(flatMask));
        m.set(new NDIndex(":"), keep.mul(m).add(mask.mul(replacement)));
    }

    @Override
    protected NDArray vqLoss(Quantization q) {
        return q.commitmentLoss().mul(beta);
    }

    @Override
    protected long[] updateCodebook(ParameterStore parameterStore, Quantization q) {
        NDArray oneHot = q.flatCodes().oneHot(numCodes, DataType.FLOAT32);
        NDArray batchCounts = oneHot.sum(new int[] {0});
        applyBatchStatistics(parameterStore, batchCounts, batchSums(q, oneHot));
        long[] counts = new long[numCodes];
        float[] c = batchCounts.toFloatArray();
        for (int i = 0; i < numCodes; i++) {
            counts[i] = Math.round(c[i]);
        }
        return counts;
    }

    @Override
    protected NDArray batchSums(Quantization q, NDArray oneHot) {
        return oneHot.transpose().matMul(q.flatInputs().stopGradient());
    }

    @Override
    protected void applyBatchStatistics(ParameterStore ps, NDArray batchCounts, NDArray batchSums) {
        Device device = batchCounts.getDevice();
        NDArray e = ps.getValue(codebook, device, true);
        NDArray n = ps.getValue(clusterSize, device, true);
        NDArray m = ps.getValue(embedSum, device, true);
        update(e, n, m, batchCounts, batchSums, decay, epsilon);
    }

    /**
     * One EMA step, in place on {@code codebook}, {@code clusterSize} and {@code embedSum}.
     *
     * @param codebook {@code [K, D]}, overwritten with the normalised sums
     * @param clusterSize {@code [K]} running counts
     * @param embedSum {@code [K, D]} running sums
     * @param batchCounts {@code [K]} counts of this batch
     * @param batchSums {@code [K, D]} sums of the vectors assigned to each code in this batch
     * @param decay the EMA decay
     * @param epsilon the Laplace smoothing constant
     */
    public static void update(
            NDArray codebook,
            NDArray clusterSize,
            NDArray embedSum,
            NDArray batchCounts,
            NDArray batchSums,
            float decay,
            float epsilon) {
        long k = clusterSize.size();
        NDManager scratch = batchCounts.getManager();
        clusterSize.muli(decay).addi(batchCounts.mul(1 - decay));
        embedSum.muli(decay).addi(batchSums.mul(1 - decay));
        // temporaries follow their first operand: attach them to the batch's manager, not the model's
        NDArray total = clusterSize.sum();
        total.attach(scratch);
        NDArray counts = clusterSize.add(epsilon);
        counts.attach(scratch);
        NDArray smoothed = counts.div(total.add(k * epsilon)).mul(total);
        NDArray normalized = embedSum.div(smoothed.expandDims(1));
        normalized.attach(scratch);
        codebook.set(new NDIndex(":"), normalized);
    }

    /** Builder of {@link EmaVectorQuantizer}. */
    public static final class Builder extends BaseBuilder<Builder> {
        float decay = 0.99f;
        float epsilon = 1e-5f;

        /**
         * Sets the EMA decay (default 0.99).
         *
         * @param decay in (0, 1)
         * @return this builder
         */
        public Builder optDecay(float decay) {
            this.decay = decay;
            return this;
        }

        /**
         * Sets the Laplace smoothing epsilon (default 1e-5).
         *
         * @param epsilon a small positive value
         * @return this builder
         */
        public Builder optEpsilon(float epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Builds the quantizer.
         *
         * @return the block
         */
        public EmaVectorQuantizer build() {
            validate();
            if (!(decay > 0 && decay < 1)) {
                throw new IllegalArgumentException("decay must be in (0, 1), got " + decay);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
            }
            return new EmaVectorQuantizer(this);
        }
    }
}
