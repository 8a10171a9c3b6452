package org.vqvae.core.quantize;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;

import org.vqvae.core.io.HostArrays;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The vector-quantisation bottleneck of VQ-VAE (van den Oord et al. 2017, arXiv 1711.00937),
 * with a {@code K x D} codebook learned by gradient descent.
 *
 * <p>Input: the encoder output {@code [N, D, H, W]}. Output, in this order:
 *
 * <ol>
 *   <li>the straight-through quantized map {@code [N, D, H, W]};
 *   <li>the integer code map {@code [N, H, W]} (int64);
 *   <li>the VQ loss, a scalar: {@code ||sg[z] - e||^2 + beta ||z - sg[e]||^2} (paper eq. 3);
 *   <li>the codebook perplexity of the batch, a scalar.
 * </ol>
 *
 * <p>{@link EmaVectorQuantizer} replaces the codebook loss by exponential moving averages.
 */
public class VectorQuantizer extends AbstractBlock {

    private static final byte VERSION = 1;

    protected final int numCodes;
    protected final int codeDim;
    protected final float beta;
    protected final Parameter codebook;
    private final int restartAfter;
    private final boolean kmeansInit;
    private final Parameter codeAge;
    private final Parameter seeded;

    protected VectorQuantizer(BaseBuilder<?> builder) {
        super(VERSION);
        numCodes = builder.numCodes;
        codeDim = builder.codeDim;
        beta = builder.beta;
        codebook =
                addParameter(
                        Parameter.builder()
                                .setName("codebook")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(numCodes, codeDim))
                                .optInitializer(codebookInitializer())
                                .optRequiresGrad(codebookLearnsByGradient())
                                .build());
        restartAfter = builder.restartAfter;
        kmeansInit = builder.kmeansInit;
        // steps since each code was last used; saved with the model so a resumed run keeps counting
        codeAge = restartAfter > 0 ? addParameter(Parameter.builder().setName("codeAge")
                .setType(Parameter.Type.RUNNING_MEAN).optShape(new Shape(numCodes))
                .optInitializer(ai.djl.training.initializer.Initializer.ZEROS).optRequiresGrad(false).build()) : null;
        seeded = kmeansInit ? addParameter(Parameter.builder().setName("kmeansSeeded")
                .setType(Parameter.Type.RUNNING_MEAN).optShape(new Shape(1))
                .optInitializer(ai.djl.training.initializer.Initializer.ZEROS).optRequiresGrad(false).build()) : null;
    }

    /**
     * Returns a builder for the gradient-trained quantizer.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Uniform in [-1/K, 1/K], as the reference implementations start the codebook. */
    protected Initializer codebookInitializer() {
        return new UniformInitializer(1f / numCodes);
    }

    /** Whether the optimiser updates the codebook (false for EMA codebooks). */
    protected boolean codebookLearnsByGradient() {
        return true;
    }

    /**
     * Returns the codebook parameter ({@code [K, D]}).
     *
     * @return the codebook
     */
    public Parameter getCodebook() {
        return codebook;
    }

    /**
     * Returns K, the number of codes.
     *
     * @return the codebook size
     */
    public int getNumCodes() {
        return numCodes;
    }

    /**
     * Returns D, the dimension of a code vector.
     *
     * @return the code dimension
     */
    public int getCodeDim() {
        return codeDim;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray z = inputs.singletonOrThrow();
        NDArray e = parameterStore.getValue(codebook, z.getDevice(), training);
        if (training && gathering != null) {
            return gatherPart(parameterStore, z, e);
        }
        if (training && awaitsKMeansSeed()) {
            seedByKMeans(parameterStore, flatRows(z));
        }
        Quantization q = Codebooks.quantize(z, e);
        long[] counts = training ? updateCodebook(parameterStore, q) : null;
        if (counts == null) {
            counts = Codebooks.counts(q.flatCodes(), numCodes);
        }
        if (training && codeAge != null) {
            restartDeadCodes(parameterStore, q.flatInputs(), counts);
        }
        NDArray perplexity = z.getManager().create((float) Codebooks.perplexity(counts));
        return new NDList(q.straightThrough(), q.codeMap(), vqLoss(q), perplexity);
    }

    /**
     * One part of a batch that runs in parts ({@link GatheredStatistics}): quantizes with the
     * codebook as it is, and hands this part's per-code counts (with the code sums of an EMA
     * codebook and the encoder outputs that dead-code restarts draw from) to the gathering instead
     * of changing any state; {@link #applyGathered} later makes the one update of the whole batch.
     * While the codebook awaits its k-means start, the encoder outputs are also handed over for it.
     */
    private NDList gatherPart(ParameterStore ps, NDArray z, NDArray e) {
        if (awaitsKMeansSeed()) {
            gathering.addSeedRows(this, ps, z.getDevice(), flatRows(z));
        }
        Quantization q = Codebooks.quantize(z, e);
        NDArray oneHot = q.flatCodes().oneHot(numCodes, DataType.FLOAT32);
        NDArray partCounts = oneHot.sum(new int[] {0});
        gathering.add(this, ps, z.getDevice(), partCounts, batchSums(q, oneHot),
                codeAge != null ? q.flatInputs().stopGradient() : null);
        // this part's perplexity, computed on its device: reading the counts back would wait for it
        NDArray share = partCounts.div(partCounts.sum());
        NDArray perplexity = share.mul(share.add(1e-10f).log()).sum().neg().exp();
        return new NDList(q.straightThrough(), q.codeMap(), vqLoss(q), perplexity);
    }

    /**
     * Makes the one update of a step whose batch ran in parts, from the statistics summed over the
     * parts: the EMA step of an EMA codebook, then the code ages and dead-code restarts, exactly as
     * a training forward pass over the whole batch makes them.
     *
     * @param ps the parameter store the parts ran with
     * @param counts {@code [K]} per-code counts of the whole batch, on the device of the parameters
     * @param sums {@code [K, D]} per-code sums of the whole batch's encoder outputs (EMA codebooks), else null
     * @param rows {@code [M, D]} the whole batch's encoder outputs in batch order (with restarts), else null
     */
    void applyGathered(ParameterStore ps, NDArray counts, NDArray sums, NDArray rows) {
        applyBatchStatistics(ps, counts, sums);
        if (codeAge != null) {
            float[] c = counts.toFloatArray();
            long[] rounded = new long[numCodes];
            for (int i = 0; i < numCodes; i++) {
                rounded[i] = Math.round(c[i]);
            }
            restartDeadCodes(ps, rows, rounded);
        }
    }

    /**
     * Whether the codebook waits for its k-means start (the first training batch gives it).
     *
     * @return true until the k-means start is made; false without k-means initialisation
     */
    public boolean awaitsKMeansSeed() {
        return seeded != null && seeded.getArray().getFloat(0) == 0f;
    }

    /**
     * Makes the k-means start from the encoder outputs of a whole batch gathered over its parts.
     *
     * @param ps the parameter store
     * @param rows {@code [M, D]} the batch's encoder outputs, in batch order
     */
    void seedGathered(ParameterStore ps, NDArray rows) {
        seedByKMeans(ps, rows);
    }

    /**
     * Sets where the statistics of training forward passes go: while set, a training forward pass
     * changes no state and hands its statistics to {@code statistics}; null restores the usual
     * update at every training forward pass.
     *
     * @param statistics the gathering of the current step, or null
     */
    void gatherInto(GatheredStatistics statistics) {
        this.gathering = statistics;
    }

    /**
     * Per-code sums of the encoder outputs of a batch, for codebooks that keep running sums.
     *
     * @param q the lookup of this batch
     * @param oneHot {@code [M, K]} one-hot assignments
     * @return {@code [K, D]}, or null where the codebook keeps no sums (here)
     */
    protected NDArray batchSums(Quantization q, NDArray oneHot) {
        return null;
    }

    /**
     * Updates a codebook that does not learn by gradient from one batch's statistics; a no-op here.
     *
     * @param ps the parameter store
     * @param batchCounts {@code [K]} per-code counts of the batch
     * @param batchSums {@code [K, D]} per-code sums, as {@link #batchSums} returns them
     */
    protected void applyBatchStatistics(ParameterStore ps, NDArray batchCounts, NDArray batchSums) {}

    /** Encoder outputs {@code [N, D, H, W]} as detached rows {@code [N * H * W, D]} in N, H, W order. */
    private NDArray flatRows(NDArray z) {
        return z.stopGradient().transpose(0, 2, 3, 1).reshape(-1, codeDim);
    }

    /**
     * The auxiliary loss of this quantizer: codebook loss plus beta times commitment loss.
     *
     * @param q the lookup of this step
     * @return a scalar
     */
    protected NDArray vqLoss(Quantization q) {
        return q.codebookLoss().add(q.commitmentLoss().mul(beta));
    }

    /**
     * Starts the codebook at k-means++ centres of the first training batch's encoder outputs.
     *
     * @param ps the parameter store
     * @param flat the batch's encoder outputs as rows {@code [M, D]}
     */
    private void seedByKMeans(ParameterStore ps, NDArray flat) {
        float[] data = flat.toFloatArray();
        int m = data.length / codeDim;
        NDManager manager = flat.getManager();
        long seed = manager.randomInteger(0, Integer.MAX_VALUE, new Shape(1), DataType.INT64).getLong(0);
        float[] centres = KMeans.fit(data, m, codeDim, numCodes, 10, new java.util.Random(seed));
        NDArray fresh = manager.create(centres, new Shape(numCodes, codeDim));
        replaceCodes(ps, manager.ones(new Shape(numCodes, 1)), fresh);
        seeded.getArray().set(new ai.djl.ndarray.index.NDIndex(":"), 1f);
    }

    /**
     * Re-seeds every code unused for {@code restartAfter} training steps from a random encoder
     * output of the current batch (as in Dhariwal et al.'s Jukebox and lucidrains' quantizers). The
     * draw is a function of the step's state (the code ages before it and the batch's code counts),
     * not of the engine's random stream, so a run resumed from a checkpoint restarts the same codes
     * from the same rows as the uninterrupted run.
     *
     * @param ps the parameter store
     * @param flat {@code [M, D]} encoder outputs of this batch
     * @param counts this batch's per-code counts
     */
    private void restartDeadCodes(ParameterStore ps, NDArray flat, long[] counts) {
        float[] age = codeAge.getArray().toFloatArray();
        long state = 31L * Arrays.hashCode(age) + Arrays.hashCode(counts);
        float[] dead = new float[numCodes];
        int restarted = 0;
        for (int k = 0; k < numCodes; k++) {
            age[k] = counts[k] > 0 ? 0 : age[k] + 1;
            if (age[k] >= restartAfter) {
                dead[k] = 1f;
                age[k] = 0;
                restarted++;
            }
        }
        // an indexed copy, not NDArray.set(float[]): that path makes libtorch print a deprecation warning
        codeAge.getArray().set(new ai.djl.ndarray.index.NDIndex(":"), HostArrays.floats(flat.getManager(), age, new Shape(numCodes)));
        lastRestarts = restarted;
        if (restarted == 0) {
            return;
        }
        NDManager m = flat.getManager();
        long rows = flat.getShape().get(0);
        SplittableRandom random = new SplittableRandom(state);
        long[] picks = new long[numCodes];
        for (int k = 0; k < numCodes; k++) {
            picks[k] = random.nextLong(rows);
        }
        NDArray pick = HostArrays.longs(m, picks, new Shape(numCodes));
        NDArray replacement = flat.stopGradient().get(new ai.djl.ndarray.index.NDIndex("{}", pick));
        replaceCodes(ps, HostArrays.floats(m, dead, new Shape(numCodes, 1)), replacement);
    }

    /**
     * Overwrites the codebook rows where {@code mask} is 1 by {@code replacement}; EMA codebooks
     * also reset their running statistics for those rows.
     *
     * @param ps the parameter store
     * @param mask {@code [K, 1]} of 0 and 1
     * @param replacement {@code [K, D]}
     */
    protected void replaceCodes(ParameterStore ps, NDArray mask, NDArray replacement) {
        // a detached view shares the parameter's storage, so the write lands in the parameter
        // without autograd refusing an in-place change of a leaf that requires grad
        NDArray e = ps.getValue(codebook, mask.getDevice(), true).stopGradient();
        e.attach(mask.getManager());
        NDArray keep = mask.neg().add(1f);
        NDArray updated = keep.mul(e).add(mask.mul(replacement.stopGradient()));
        e.set(new ai.djl.ndarray.index.NDIndex(":"), updated);
    }

    private int lastRestarts;
    private GatheredStatistics gathering;

    /**
     * Returns how many codes the last training step restarted (0 when restarts are off).
     *
     * @return restarted codes
     */
    public int getLastRestarts() {
        return lastRestarts;
    }

    /**
     * Updates a codebook that does not learn by gradient; a no-op here.
     *
     * @param parameterStore the store holding the parameters
     * @param q the lookup of this step
     * @return the per-code counts of this batch if they were computed, else null
     */
    protected long[] updateCodebook(ParameterStore parameterStore, Quantization q) {
        return null;
    }

    /**
     * Decodes an integer code map back to code vectors.
     *
     * @param parameterStore the parameter store
     * @param codes {@code [N, H, W]} integer codes in {@code [0, K)}
     * @return {@code [N, D, H, W]}
     */
    public NDArray lookup(ParameterStore parameterStore, NDArray codes) {
        checkCodes(codes);
        NDArray e = parameterStore.getValue(codebook, codes.getDevice(), false);
        return Codebooks.lookup(codes, e).transpose(0, 3, 1, 2);
    }

    /**
     * Throws when a code map is not {@code [N, H, W]} or holds a value outside {@code [0, K)}.
     *
     * @param codes the codes to check
     */
    public void checkCodes(NDArray codes) {
        if (codes.getShape().dimension() != 3) {
            throw new IllegalArgumentException(
                    "code map must be [N, H, W], got shape " + codes.getShape());
        }
        if (codes.getDataType().isFloating()) {
            throw new IllegalArgumentException(
                    "codes must be integers, got " + codes.getDataType());
        }
        if (codes.size() == 0) {
            return;
        }
        NDArray asLong = codes.toType(DataType.INT64, false);
        long min = asLong.min().getLong();
        long max = asLong.max().getLong();
        if (min < 0 || max >= numCodes) {
            throw new IllegalArgumentException(
                    "code "
                            + (min < 0 ? min : max)
                            + " is outside [0, "
                            + numCodes
                            + ") for this model's codebook of "
                            + numCodes
                            + " codes");
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {
            in, new Shape(in.get(0), in.get(2), in.get(3)), new Shape(), new Shape()
        };
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        super.saveMetadata(os);
        os.writeInt(numCodes);
        os.writeInt(codeDim);
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("unsupported quantizer version " + loadVersion);
        }
        super.loadMetadata(loadVersion, is);
        int k = is.readInt();
        int d = is.readInt();
        if (k != numCodes || d != codeDim) {
            throw new MalformedModelException(
                    "checkpoint codebook is "
                            + k
                            + "x"
                            + d
                            + " but the model expects "
                            + numCodes
                            + "x"
                            + codeDim);
        }
    }

    /**
     * Settings shared by both quantizers.
     *
     * @param <T> the concrete builder
     */
    public abstract static class BaseBuilder<T extends BaseBuilder<T>> {
        int numCodes = 512;
        int codeDim = 64;
        float beta = 0.25f;
        int restartAfter;
        boolean kmeansInit;

        /**
         * Restarts every code unused for this many training steps from a random encoder output of
         * the current batch (default 0: never).
         *
         * @param steps the dead-code threshold
         * @return this builder
         */
        public T optRestartAfter(int steps) {
            this.restartAfter = steps;
            return self();
        }

        /**
         * Starts the codebook at k-means++ centres of the first training batch (default false).
         *
         * @param kmeansInit whether to seed by k-means
         * @return this builder
         */
        public T optKMeansInit(boolean kmeansInit) {
            this.kmeansInit = kmeansInit;
            return self();
        }

        /**
         * Sets K, the number of codes (default 512).
         *
         * @param numCodes codebook size
         * @return this builder
         */
        public T setNumCodes(int numCodes) {
            this.numCodes = numCodes;
            return self();
        }

        /**
         * Sets D, the code dimension (default 64).
         *
         * @param codeDim code dimension
         * @return this builder
         */
        public T setCodeDim(int codeDim) {
            this.codeDim = codeDim;
            return self();
        }

        /**
         * Sets beta, the commitment cost (default 0.25, the paper's value).
         *
         * @param beta commitment weight
         * @return this builder
         */
        public T optBeta(float beta) {
            this.beta = beta;
            return self();
        }

        protected void validate() {
            if (numCodes < 1) {
                throw new IllegalArgumentException("numCodes must be >= 1, got " + numCodes);
            }
            if (codeDim < 1) {
                throw new IllegalArgumentException("codeDim must be >= 1, got " + codeDim);
            }
            if (!(beta >= 0)) {
                throw new IllegalArgumentException("beta must be >= 0, got " + beta);
            }
            if (restartAfter < 0) {
                throw new IllegalArgumentException("restartAfter must be >= 0, got " + restartAfter);
            }
        }

        protected abstract T self();
    }

    /** Builder of the gradient-trained {@link VectorQuantizer}. */
    public static final class Builder extends BaseBuilder<Builder> {

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Builds the quantizer.
         *
         * @return the block
         */
        public VectorQuantizer build() {
            validate();
            return new VectorQuantizer(this);
        }
    }
}
