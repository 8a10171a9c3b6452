package org.vqvae.core.io.torch;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Named tensors in file order: what {@code torch.save(model.state_dict())} or a safetensors file
 * holds, plus the file's string metadata (safetensors' {@code __metadata__}; empty for a .pt file).
 */
public final class StateDict {

    private final Map<String, TensorData> tensors;
    private final Map<String, String> metadata;

    /**
     * Wraps tensors and metadata (both copied).
     *
     * @param tensors name to tensor, in order
     * @param metadata string metadata
     */
    public StateDict(Map<String, TensorData> tensors, Map<String, String> metadata) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Name to tensor, in file order. */
    public Map<String, TensorData> tensors() {
        return tensors;
    }

    /** The file's string metadata. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Drops a prefix that every name has: {@code module.}, as a state_dict of a model wrapped in
     * (Distributed)DataParallel is named.
     *
     * @param prefix e.g. {@code module.}
     * @return the renamed tensors, or this if some name lacks the prefix
     */
    public StateDict withoutCommonPrefix(String prefix) {
        if (tensors.isEmpty() || !tensors.keySet().stream().allMatch(k -> k.startsWith(prefix))) {
            return this;
        }
        Map<String, TensorData> renamed = new LinkedHashMap<>();
        tensors.forEach((k, v) -> renamed.put(k.substring(prefix.length()), v));
        return new StateDict(renamed, metadata);
    }

    /**
     * Returns a tensor that must be there with a given shape.
     *
     * @param name the tensor's name
     * @param shape the shape the architecture needs
     * @param what the architecture, for the message
     * @return the tensor
     * @throws WeightFormatException if missing or of another shape
     */
    public TensorData require(String name, long[] shape, String what) throws WeightFormatException {
        TensorData t = tensors.get(name);
        if (t == null) {
            throw new WeightFormatException("not a " + what + ": it has no tensor " + name);
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new WeightFormatException("not a " + what + ": " + name + " is " + Arrays.toString(t.shape())
                    + ", the architecture needs " + Arrays.toString(shape));
        }
        return t;
    }

    /**
     * Refuses tensors that an architecture does not have.
     *
     * @param expected the architecture's names
     * @param what the architecture, for the message
     * @throws WeightFormatException if there are others
     */
    public void requireOnly(Set<String> expected, String what) throws WeightFormatException {
        Set<String> extra = new TreeSet<>(tensors.keySet());
        extra.removeAll(expected);
        if (!extra.isEmpty()) {
            throw new WeightFormatException("not a " + what + ": unexpected tensor" + (extra.size() > 1 ? "s " : " ")
                    + String.join(", ", extra.stream().limit(5).toList()) + (extra.size() > 5 ? ", ..." : ""));
        }
    }
}
