package org.vqvae.core.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;

import org.vqvae.core.quantize.GatheredStatistics;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One optimisation step whose batch is split into parts, data-parallel over devices through DJL's
 * multi-device training: the same update as one step on the whole batch, up to float rounding.
 *
 * <p>The batch ({@code --batch}) is the global batch: part {@code i} of {@code P} is a contiguous
 * slice of it, the sizes differing by at most one, and runs on {@code partDevices[i]}. A device
 * may be listed more than once (several parts on one device: the update is the same, the memory
 * per part smaller), which is also how the split is tested on a CPU. The {@link Trainer} must be
 * made with {@link #trainerDevices} and the model's parameters must live on the first of them.
 *
 * <p>What DJL does: its {@code ParameterStore} mirrors every parameter on every trainer device,
 * the backward pass of each part leaves gradients on that part's mirrors (parts on one device add
 * up in the same gradient), and {@link Trainer#step} sums the mirrors' gradients and applies the
 * optimizer to every mirror ({@link CheckpointableAdam} keeps one state per mirror).
 *
 * <p>What this class adds, because DJL does not do it:
 * <ul>
 *   <li>Loss weights. DJL's {@code EasyTrain.trainBatch} backpropagates each part's loss as it is,
 *       so the summed gradient of per-part means is {@code P} times the whole batch's (more for
 *       small parts when the batch does not divide). Every loss here is a mean over the batch
 *       (reconstruction MSE, the quantizers' codebook and commitment terms, the priors' NLL), so
 *       part {@code i} of {@code n_i} samples is weighted {@code n_i / n}: the summed gradient is
 *       the gradient of the whole batch's mean, and the weighted losses add up to its value.
 *   <li>Codebook state that is no gradient. An EMA codebook's counts and sums, code ages and
 *       restarts, and the k-means start change inside the quantizer's forward pass and carry no
 *       gradient, so DJL neither reduces them across devices nor keeps a second part from seeing
 *       the first part's update. The quantizers gather them over the parts ({@link
 *       GatheredStatistics}) and make one update from the totals after the last part, before the
 *       optimizer step, as a whole-batch step does. A k-means start waits for the whole first
 *       batch: the parts run once without gradients per quantizer that awaits it, first.
 * </ul>
 *
 * <p>Not identical to a whole-batch step: float rounding (sums in another order: below 1e-6
 * relative in the gradients, measured in {@code DataParallelStepTest}); the per-part batch perplexity output; random
 * draws inside the model (dropout of a prior with {@code --dropout}: each part draws its own masks);
 * and on the first step of a model with k-means starts, more than one level and {@code
 * --restart-after 1}, the random draws of starts and restarts come in another order.
 */
public final class DataParallelStep {

    private final List<Device> partDevices;
    private final boolean weighParts;
    private final boolean gatherCodebookStatistics;

    /**
     * Creates the step.
     *
     * @param partDevices the device of each part, in batch order (repeats allowed)
     */
    public DataParallelStep(List<Device> partDevices) {
        this(partDevices, true, true);
    }

    /**
     * Creates a step that may leave out what makes it equal to a whole-batch step: only the test's
     * negative controls turn these off, to show that its comparison would notice.
     *
     * @param partDevices the device of each part
     * @param weighParts weight each part's loss by its share of the batch (false: unweighted, as DJL's EasyTrain)
     * @param gatherCodebookStatistics one codebook update from all parts (false: each part updates, as under DJL alone)
     */
    DataParallelStep(List<Device> partDevices, boolean weighParts, boolean gatherCodebookStatistics) {
        if (partDevices.isEmpty()) {
            throw new IllegalArgumentException("at least one device is needed");
        }
        this.partDevices = List.copyOf(partDevices);
        this.weighParts = weighParts;
        this.gatherCodebookStatistics = gatherCodebookStatistics;
    }

    /**
     * Returns the devices a {@link Trainer} for these parts is made with: each device once, in the
     * order of first appearance (DJL refuses a device listed twice).
     *
     * @param partDevices the device of each part
     * @return the distinct devices; the first holds the model's parameters
     */
    public static Device[] trainerDevices(List<Device> partDevices) {
        return new LinkedHashSet<>(partDevices).toArray(new Device[0]);
    }

    /**
     * Names the devices of the parts as the command line does: {@code gpu0,gpu1} or {@code cpu,cpu}.
     *
     * @return the names, comma-separated
     */
    public String describe() {
        StringBuilder names = new StringBuilder();
        for (Device d : partDevices) {
            names.append(names.length() == 0 ? "" : ",").append(d.isGpu() ? "gpu" + d.getDeviceId() : d.getDeviceType());
        }
        return names.toString();
    }

    /**
     * Returns how many parts a batch is split into.
     *
     * @return the number of parts
     */
    public int parts() {
        return partDevices.size();
    }

    /**
     * Returns the sizes of the parts of a batch: contiguous, differing by at most one, the larger
     * first ({@code 8} in 3 parts: 3, 3, 2).
     *
     * @param batch the batch size
     * @param parts the number of parts, at most {@code batch}
     * @return the part sizes
     */
    public static int[] partSizes(int batch, int parts) {
        if (parts < 1 || parts > batch) {
            throw new IllegalArgumentException("cannot split a batch of " + batch + " into " + parts + " parts");
        }
        int[] sizes = new int[parts];
        for (int i = 0; i < parts; i++) {
            sizes[i] = batch / parts + (i < batch % parts ? 1 : 0);
        }
        return sizes;
    }

    /**
     * Runs one step. With a single part it is {@link TrainingStep#run(Trainer, NDList)}.
     *
     * @param trainer a trainer made with {@link #trainerDevices}
     * @param batch the whole batch, in a per-step manager on the first device; every array is
     *     split along its first axis (images; or codes, classes and conditions)
     * @return the loss of the whole batch
     */
    public float run(Trainer trainer, NDList batch) {
        return run(trainer, batch, null);
    }

    /**
     * Runs one step and shows the summed gradients to an observer after the last part's backward
     * pass, before the codebook update and the optimizer step.
     *
     * @param trainer a trainer made with {@link #trainerDevices}
     * @param batch the whole batch
     * @param observer sees the last part's outputs and the sum of the weighted losses; may be null
     * @return the loss of the whole batch
     */
    public float run(Trainer trainer, NDList batch, TrainingStep.Observer observer) {
        int n = Math.toIntExact(batch.head().getShape().get(0));
        int parts = Math.min(partDevices.size(), n);
        if (parts == 1 && partDevices.get(0).equals(batch.head().getDevice())) {
            return TrainingStep.run(trainer, batch, observer);
        }
        NDManager stepManager = batch.head().getManager();
        List<NDList> split = split(batch, partSizes(n, parts));
        Block model = trainer.getModel().getBlock();
        GatheredStatistics statistics = gatherCodebookStatistics ? GatheredStatistics.open(model, stepManager) : null;
        try {
            if (statistics != null) {
                startCodebooks(trainer, split, statistics);
            }
            List<NDArray> losses = new ArrayList<>();
            NDList outputs = null;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                for (NDList part : split) {
                    outputs = trainer.forward(part);
                    NDArray loss = trainer.getLoss().evaluate(part, outputs);
                    long size = part.head().getShape().get(0);
                    NDArray weighted = weighParts ? loss.mul((float) ((double) size / n)) : loss;
                    collector.backward(weighted);
                    losses.add(weighted);
                }
                if (observer != null) {
                    observer.afterBackward(outputs, total(losses, stepManager));
                }
            }
            if (statistics != null) {
                statistics.apply();
            }
            trainer.step();
            double sum = 0;
            for (NDArray loss : losses) {
                sum += loss.getFloat();
            }
            return (float) sum;
        } finally {
            if (statistics != null) {
                statistics.close();
            }
        }
    }

    /**
     * Makes the k-means starts that wait for the first batch: one pass of the parts without
     * gradients per start, since a lower level's input depends on the started codebook above it.
     */
    private static void startCodebooks(Trainer trainer, List<NDList> split, GatheredStatistics statistics) {
        while (statistics.awaitsKMeansSeed()) {
            for (NDList part : split) {
                trainer.forward(part);
            }
            if (!statistics.seedFirstAwaiting()) {
                throw new IllegalStateException("a quantizer awaits its k-means start but saw no batch");
            }
            statistics.clear();
        }
    }

    private List<NDList> split(NDList batch, int[] sizes) {
        List<NDList> parts = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < sizes.length; i++) {
            NDList part = new NDList();
            for (NDArray a : batch) {
                NDArray slice = a.get(new NDIndex("{}:{}", from, from + sizes[i]));
                part.add(slice.toDevice(partDevices.get(i), false));
            }
            parts.add(part);
            from += sizes[i];
        }
        return parts;
    }

    private static NDArray total(List<NDArray> losses, NDManager manager) {
        NDArray sum = manager.zeros(new ai.djl.ndarray.types.Shape());
        for (NDArray loss : losses) {
            sum = sum.add(loss.toDevice(manager.getDevice(), false));
        }
        return sum;
    }
}
