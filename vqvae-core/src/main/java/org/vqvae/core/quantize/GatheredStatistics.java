package org.vqvae.core.quantize;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The codebook statistics of one optimisation step whose batch runs in parts (on several devices,
 * or several parts on one), summed over the parts so that each quantizer makes the one update the
 * whole batch would have made.
 *
 * <p>Why this exists: DJL's multi-device training ({@code ParameterStore} with a parameter server)
 * mirrors every parameter on every device and sums the <em>gradients</em> of the mirrors before the
 * optimizer step, but it never reduces parameters that carry no gradient: an EMA codebook's running
 * counts and sums, and the code ages of dead-code restarts, would each follow only the part that
 * one device saw, and the mirrors would drift apart. And a quantizer changes that state inside its
 * forward pass, so a second part run after the first would already see the first part's update.
 * While a gathering is open, a training forward pass of every quantizer of the model changes no
 * state: it adds its per-code counts (with the per-code sums of an EMA codebook, and the encoder
 * outputs that restarts draw from) to the totals here, on the device of the parameters. {@link
 * #apply} then makes each quantizer's one update from the totals, in the order the quantizers ran,
 * and copies the updated state to the mirrors on the other devices.
 *
 * <p>Sums of counts are exact; the per-code sums differ from the whole batch's by float rounding
 * (another summation order). Restarts draw the same random rows of the same concatenated batch
 * as a whole-batch step (the parts are contiguous slices, so the rows keep their order).
 */
public final class GatheredStatistics implements AutoCloseable {

    private final NDManager manager;
    private final List<VectorQuantizer> quantizers;
    private final Map<VectorQuantizer, Totals> totals = new LinkedHashMap<>();

    private GatheredStatistics(NDManager manager, List<VectorQuantizer> quantizers) {
        this.manager = manager;
        this.quantizers = quantizers;
    }

    /**
     * Opens a gathering for every quantizer inside a model: until {@link #close}, their training
     * forward passes only gather.
     *
     * @param model the model (a quantizer itself, or a block holding some)
     * @param manager a per-step manager on the device of the model's parameters, where the totals live
     * @return the gathering
     */
    public static GatheredStatistics open(Block model, NDManager manager) {
        List<VectorQuantizer> found = quantizersOf(model);
        GatheredStatistics statistics = new GatheredStatistics(manager, found);
        for (VectorQuantizer q : found) {
            q.gatherInto(statistics);
        }
        return statistics;
    }

    /**
     * Returns every quantizer inside a block, depth first.
     *
     * @param block the block
     * @return the quantizers, possibly none
     */
    public static List<VectorQuantizer> quantizersOf(Block block) {
        List<VectorQuantizer> found = new ArrayList<>();
        collect(block, found);
        return found;
    }

    private static void collect(Block block, List<VectorQuantizer> found) {
        if (block instanceof VectorQuantizer q) {
            found.add(q);
        }
        for (Pair<String, Block> child : block.getChildren()) {
            collect(child.getValue(), found);
        }
    }

    /**
     * Whether some quantizer of the model still waits for its k-means start.
     *
     * @return true if one does
     */
    public boolean awaitsKMeansSeed() {
        return quantizers.stream().anyMatch(VectorQuantizer::awaitsKMeansSeed);
    }

    /**
     * Makes the k-means start of the first quantizer (in the order they ran) that waited for it and
     * saw the parts since the last {@link #clear}, from the encoder outputs of all parts, then copies
     * its state to the other devices. A later quantizer's input can depend on this one's codes (the
     * levels of a VQ-VAE-2), so one start is made per pass over the parts.
     *
     * @return whether a start was made
     */
    public boolean seedFirstAwaiting() {
        for (Map.Entry<VectorQuantizer, Totals> entry : totals.entrySet()) {
            Totals t = entry.getValue();
            if (!t.seedRows.isEmpty() && entry.getKey().awaitsKMeansSeed()) {
                entry.getKey().seedGathered(t.store, concat(t.seedRows));
                broadcast(entry.getKey(), t);
                return true;
            }
        }
        return false;
    }

    /** Forgets what the parts gathered so far (after a pass that only served a k-means start). */
    public void clear() {
        totals.clear();
    }

    /**
     * Makes every quantizer's one update of this step from the totals of the parts, in the order
     * the quantizers ran (the order a whole-batch forward pass makes them, which matters for the
     * random draws of restarts), and copies the updated state to the other devices' mirrors.
     */
    public void apply() {
        for (Map.Entry<VectorQuantizer, Totals> entry : totals.entrySet()) {
            Totals t = entry.getValue();
            NDArray rows = t.rows.isEmpty() ? null : concat(t.rows);
            entry.getKey().applyGathered(t.store, t.counts, t.sums, rows);
            broadcast(entry.getKey(), t);
        }
        totals.clear();
    }

    /** Ends the gathering: training forward passes update their quantizers again. */
    @Override
    public void close() {
        for (VectorQuantizer q : quantizers) {
            q.gatherInto(null);
        }
    }

    void add(VectorQuantizer q, ParameterStore store, Device device, NDArray counts, NDArray sums, NDArray rows) {
        Totals t = totalsOf(q, store, device);
        t.counts = t.counts == null ? here(counts) : t.counts.add(here(counts));
        if (sums != null) {
            t.sums = t.sums == null ? here(sums) : t.sums.add(here(sums));
        }
        if (rows != null) {
            t.rows.add(here(rows));
        }
    }

    void addSeedRows(VectorQuantizer q, ParameterStore store, Device device, NDArray rows) {
        totalsOf(q, store, device).seedRows.add(here(rows));
    }

    private Totals totalsOf(VectorQuantizer q, ParameterStore store, Device device) {
        Totals t = totals.computeIfAbsent(q, k -> new Totals(store));
        t.devices.add(device);
        return t;
    }

    /** The array on the gathering's device, attached to its manager. */
    private NDArray here(NDArray a) {
        NDArray moved = a.toDevice(manager.getDevice(), false);
        moved.attach(manager);
        return moved;
    }

    private NDArray concat(List<NDArray> parts) {
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts));
    }

    /**
     * Copies every parameter of a quantizer from the device of the parameters to its mirrors on
     * the other devices the parts ran on (none when all parts ran on one device).
     */
    private void broadcast(VectorQuantizer q, Totals t) {
        Device home = manager.getDevice();
        for (Device device : t.devices) {
            if (device.equals(home)) {
                continue;
            }
            for (Pair<String, Parameter> p : q.getParameters()) {
                NDArray source = t.store.getValue(p.getValue(), home, true).stopGradient();
                source.attach(manager);
                // a detached view shares the mirror's storage: the write lands in the mirror without
                // autograd refusing an in-place change of a leaf that requires grad
                NDArray mirror = t.store.getValue(p.getValue(), device, true).stopGradient();
                mirror.attach(manager);
                NDArray copy = source.toDevice(device, true);
                copy.attach(manager);
                mirror.set(new NDIndex(":"), copy);
            }
        }
    }

    /** What the parts of this step gave one quantizer. */
    private static final class Totals {
        final ParameterStore store;
        final Set<Device> devices = new LinkedHashSet<>();
        final List<NDArray> rows = new ArrayList<>();
        final List<NDArray> seedRows = new ArrayList<>();
        NDArray counts;
        NDArray sums;

        Totals(ParameterStore store) {
            this.store = store;
        }
    }
}
