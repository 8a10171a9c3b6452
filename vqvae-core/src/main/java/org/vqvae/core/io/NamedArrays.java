package org.vqvae.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A block's parameters as a NumPy {@code .npz} of named float32 arrays, named as DJL names them
 * ({@code block.getParameters()} keys): how weights move between this library and a PyTorch
 * script that maps its module names to these (the fidelity checks start both sides from the same
 * weights this way).
 */
public final class NamedArrays {

    private NamedArrays() {}

    /**
     * Writes every parameter of an initialised block.
     *
     * @param block the block
     * @param npz the archive to write
     * @throws IOException on failure
     */
    public static void save(Block block, Path npz) throws IOException {
        List<String> names = new ArrayList<>();
        List<NDArray> arrays = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            names.add(p.getKey());
            arrays.add(p.getValue().getArray());
        }
        Npy.writeNpz(npz, names, arrays);
    }

    /**
     * Reads the arrays of an archive by name.
     *
     * @param npz the archive
     * @param manager owner of the arrays
     * @return name to array, in the archive's order
     * @throws IOException if the file is unreadable
     */
    public static Map<String, NDArray> read(Path npz, NDManager manager) throws IOException {
        NDList list = Npy.read(manager, npz);
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (NDArray a : list) {
            out.put(a.getName(), a);
        }
        return out;
    }

    /**
     * Overwrites an initialised block's parameters with the archive's arrays of the same names;
     * every parameter must be there with its exact shape, and nothing else.
     *
     * @param block the initialised block
     * @param npz the archive
     * @throws IOException if a name is missing or extra, or a shape differs
     */
    public static void load(Block block, Path npz) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> arrays = read(npz, m);
            TreeSet<String> extra = new TreeSet<>(arrays.keySet());
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray target = p.getValue().getArray();
                NDArray source = arrays.get(p.getKey());
                if (source == null) {
                    throw new IOException(npz + " has no array '" + p.getKey() + "' " + target.getShape());
                }
                if (!source.getShape().equals(target.getShape())) {
                    throw new IOException(npz + ": '" + p.getKey() + "' is " + source.getShape() + ", the model needs "
                            + target.getShape());
                }
                // an indexed copy, not NDArray.set(float[]): that path makes libtorch print a deprecation warning
                try (NDArray view = target.stopGradient()) { // writes through, whether or not it records gradients
                    view.set(new NDIndex(":"), source.toType(DataType.FLOAT32, false));
                }
                extra.remove(p.getKey());
            }
            if (!extra.isEmpty()) {
                throw new IOException(npz + " holds arrays the model does not have: " + extra);
            }
        }
    }
}
