package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.util.JsonUtils;
import ai.djl.util.Pair;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.vqvae.core.io.NamedArrays;
import org.vqvae.core.io.Npy;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.CheckpointableAdam;
import org.vqvae.core.train.TrainingStep;
import org.vqvae.core.train.VqVaeLoss;
import org.vqvae.core.train.VqVaeTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our side of the trajectory check: starts a model from {@code fidelity.py}'s {@code init.npz} and
 * trains it on its {@code batches.npy} through the trainer configuration and step the CLI uses
 * ({@link VqVaeTrainer#trainingConfig}, {@link TrainingStep}); also reads PyTorch's record.
 */
public final class TrajectoryReplay {

    private TrajectoryReplay() {}

    /**
     * Trains a fresh model on the batches of a {@code fidelity.py} directory.
     *
     * @param model an uninitialised model of the directory's kind
     * @param dir the directory {@code fidelity.py} wrote
     * @param learningRate Adam's learning rate
     * @return what our training did
     * @throws IOException if the files are unreadable or do not fit the model
     */
    public static Trajectory replay(CodeModel model, Path dir, float learningRate) throws IOException {
        Device cpu = Device.cpu();
        try (Model djl = Model.newInstance("fidelity", cpu); NDManager parameters = NDManager.newBaseManager(cpu)) {
            djl.setBlock(model);
            model.initialize(parameters);
            NamedArrays.load(model, dir.resolve("init.npz"));
            Map<String, float[]> initial = snapshot(model);
            NDManager manager = djl.getNDManager();
            NDArray all = Npy.read(manager, dir.resolve("batches.npy")).singletonOrThrow();
            Shape shape = all.getShape();
            int steps = (int) shape.get(0);
            Shape batchShape = shape.slice(1);
            float[] pixels = all.toFloatArray();
            int per = (int) batchShape.size();
            List<Trajectory.Terms> terms = new ArrayList<>();
            Map<String, Double> gradNorms = new LinkedHashMap<>();
            Map<String, float[]> afterFirst = null;
            try (Trainer trainer = djl.newTrainer(VqVaeTrainer.trainingConfig(new CheckpointableAdam(learningRate), cpu))) {
                for (int s = 0; s < steps; s++) {
                    boolean first = s == 0;
                    try (NDManager step = manager.newSubManager()) {
                        NDArray x = step.create(Arrays.copyOfRange(pixels, s * per, (s + 1) * per), batchShape);
                        double[] parts = new double[2];
                        float loss = TrainingStep.run(trainer, new NDList(x), (outputs, l) -> {
                            parts[0] = VqVaeLoss.reconstructionMse(x, outputs.get(CodeModel.RECONSTRUCTION)).getFloat();
                            parts[1] = outputs.get(CodeModel.VQ_LOSS).getFloat();
                            if (first) {
                                gradNorms.putAll(gradientNorms(model));
                            }
                        });
                        terms.add(new Trajectory.Terms(loss, parts[0], parts[1]));
                    }
                    if (first) {
                        afterFirst = snapshot(model);
                    }
                }
            }
            return new Trajectory(terms, gradNorms, initial, afterFirst, snapshot(model));
        }
    }

    /**
     * Reads the record {@code fidelity.py} wrote.
     *
     * @param dir its output directory
     * @return PyTorch's trajectory
     * @throws IOException if a file is missing or unreadable
     */
    public static Trajectory read(Path dir) throws IOException {
        JsonObject json = JsonUtils.GSON.fromJson(Files.readString(dir.resolve("trajectory.json")), JsonObject.class);
        List<Trajectory.Terms> terms = new ArrayList<>();
        for (JsonElement e : json.getAsJsonArray("steps")) {
            JsonObject o = e.getAsJsonObject();
            terms.add(new Trajectory.Terms(o.get("loss").getAsDouble(), o.get("recon").getAsDouble(),
                    o.get("vq").getAsDouble()));
        }
        Map<String, Double> norms = new LinkedHashMap<>();
        json.getAsJsonObject("grad_norms").entrySet().forEach(e -> norms.put(e.getKey(), e.getValue().getAsDouble()));
        return new Trajectory(terms, norms, arrays(dir.resolve("init.npz")), arrays(dir.resolve("params_1.npz")),
                arrays(dir.resolve("params_" + terms.size() + ".npz")));
    }

    private static Map<String, float[]> arrays(Path npz) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            NamedArrays.read(npz, m).forEach((name, a) -> out.put(name, a.toFloatArray()));
        }
        return out;
    }

    private static Map<String, float[]> snapshot(CodeModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private static Map<String, Double> gradientNorms(CodeModel model) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            if (p.getValue().requiresGradient()) {
                out.put(p.getKey(), Agreement.norm(p.getValue().getArray().getGradient().toFloatArray()));
            }
        }
        return out;
    }
}
