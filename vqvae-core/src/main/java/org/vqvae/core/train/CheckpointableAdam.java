package org.vqvae.core.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adam (Kingma and Ba 2015) as PyTorch's {@code torch.optim.Adam} computes it, through DJL's fused
 * update, whose moments and step counts can be saved and restored, so that a resumed run continues
 * exactly. DJL's own Adam keeps that state private (and adds epsilon before the bias correction).
 * The step size comes from a {@link Tracker} of the parameter's update count (restored with the
 * moments), so a schedule such as {@link LearningRateSchedule} resumes where it stopped.
 */
public final class CheckpointableAdam extends Optimizer {

    private final Tracker learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    /** Per parameter, the state of each device's copy (DJL's multi-device training updates every copy). */
    private final Map<String, Map<Device, Moments>> state = new ConcurrentHashMap<>();
    /** State read by {@link #load}, from which each device's copy starts. */
    private final Map<String, Moments> restored = new ConcurrentHashMap<>();

    /**
     * Creates Adam with the usual betas (0.9, 0.999) and epsilon 1e-8.
     *
     * @param learningRate the step size
     */
    public CheckpointableAdam(float learningRate) {
        this(Tracker.fixed(learningRate));
    }

    /**
     * Creates Adam with the usual betas (0.9, 0.999), epsilon 1e-8 and a step size that follows
     * the parameter's update count.
     *
     * @param learningRate the step size of each update, counted from 1
     */
    public CheckpointableAdam(Tracker learningRate) {
        super(new OptimizerBuilder<>() {
            @Override
            protected OptimizerBuilder self() {
                return this;
            }
        }.setRescaleGrad(1f));
        this.learningRate = learningRate;
        beta1 = 0.9f;
        beta2 = 0.999f;
        epsilon = 1e-8f;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Under DJL's multi-device training the parameter server calls this once per device with the
     * same summed gradient, for the copy of the parameter on that device; each copy keeps its own
     * moments and step count (on its device), so the copies take identical steps.
     */
    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        Map<Device, Moments> copies = state.computeIfAbsent(parameterId, k -> new ConcurrentHashMap<>());
        Moments s = copies.get(weight.getDevice());
        if (s == null) {
            s = start(parameterId, weight);
            copies.put(weight.getDevice(), s);
        } else {
            // every copy updates once per step: by a copy's second step all have copied the restored state
            Moments done = restored.remove(parameterId);
            if (done != null) {
                done.mean.close();
                done.variance.close();
            }
        }
        int t = ++s.steps;
        float lr = learningRate.getNewValue(parameterId, t);
        double coef1 = 1.0 - Math.pow(beta1, t);
        double coef2 = 1.0 - Math.pow(beta2, t);
        float corrected = (float) (lr * Math.sqrt(coef2) / coef1);
        // the fused update adds epsilon to sqrt(v) before the bias correction; PyTorch adds it after
        // (sqrt(v / coef2) + eps). Scaled here, epsilon is PyTorch's: unscaled, it is 1/sqrt(coef2)
        // (32x at step 1) larger, which shrinks the early steps of parameters with tiny gradients
        // such as the codebook's (about 1e-7: means over every element of the batch)
        float eps = (float) (epsilon * Math.sqrt(coef2));
        NDArrayEx ex = weight.getNDArrayInternal();
        ex.adamUpdate(new NDList(weight, grad, s.mean, s.variance), new NDList(weight), lr, corrected,
                getWeightDecay(), rescaleGrad, clipGrad, beta1, beta2, eps, true, false);
    }

    /** A copy's first state: zeros, or a copy of the restored state on the copy's device. */
    private Moments start(String parameterId, NDArray weight) {
        Moments r = restored.get(parameterId);
        if (r == null) {
            return new Moments(weight.zerosLike(), weight.zerosLike(), 0);
        }
        NDArray m = r.mean.toDevice(weight.getDevice(), true);
        NDArray v = r.variance.toDevice(weight.getDevice(), true);
        m.attach(weight.getManager());
        v.attach(weight.getManager());
        return new Moments(m, v, r.steps);
    }

    /** The state of the copy of a parameter on the device of the parameter itself (else any copy). */
    private Moments stateOf(Parameter parameter) {
        Moments r = restored.get(parameter.getId());
        Map<Device, Moments> copies = state.get(parameter.getId());
        if (copies == null || copies.isEmpty()) {
            return r;
        }
        Moments own = copies.get(parameter.getArray().getDevice());
        return own != null ? own : copies.values().iterator().next();
    }

    /** Adam's moments and step count of one copy of a parameter. */
    private static final class Moments {
        final NDArray mean;
        final NDArray variance;
        int steps;

        Moments(NDArray mean, NDArray variance, int steps) {
            this.mean = mean;
            this.variance = variance;
            this.steps = steps;
        }
    }

    /**
     * Writes the moments and step counts of every parameter of a block, keyed by parameter path.
     *
     * @param block the trained block
     * @param os the stream
     * @throws IOException on failure
     */
    public void save(Block block, OutputStream os) throws IOException {
        NDList state = new NDList();
        for (Pair<String, Parameter> p : block.getParameters()) {
            Moments s = stateOf(p.getValue());
            if (s == null) {
                continue;
            }
            NDManager manager = s.mean.getManager();
            NDArray mc = s.mean.duplicate();
            mc.setName(p.getKey() + "#m");
            NDArray vc = s.variance.duplicate();
            vc.setName(p.getKey() + "#v");
            NDArray tc = manager.create(s.steps);
            tc.setName(p.getKey() + "#t");
            state.add(mc);
            state.add(vc);
            state.add(tc);
        }
        try {
            state.encode(os);
        } finally {
            state.close();
        }
    }

    /**
     * Restores state written by {@link #save} for the same block structure.
     *
     * @param block the block, whose parameters are initialised
     * @param is the stream
     * @param manager manager for the restored arrays (that of the parameters)
     * @throws IOException if the state does not fit the block
     */
    public void load(Block block, InputStream is, NDManager manager) throws IOException {
        NDList state;
        try {
            state = NDList.decode(manager, is);
        } catch (IllegalArgumentException e) {
            throw new IOException("optimizer state is corrupt: " + e.getMessage(), e);
        }
        Map<String, NDArray> byName = new ConcurrentHashMap<>();
        for (NDArray a : state) {
            byName.put(a.getName(), a);
        }
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray m = byName.get(p.getKey() + "#m");
            if (m == null) {
                continue;
            }
            Parameter param = p.getValue();
            NDArray v = byName.get(p.getKey() + "#v");
            NDArray t = byName.get(p.getKey() + "#t");
            if (v == null || t == null || !m.getShape().equals(param.getArray().getShape())) {
                throw new IOException("optimizer state does not fit parameter " + p.getKey());
            }
            state.remove(param.getId());
            restored.put(param.getId(), new Moments(m, v, t.getInt()));
        }
    }
}
