package org.vqvae.core.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import org.vqvae.core.djl.ModelDirectory;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.RosinalityVqVae2;
import org.vqvae.core.model.RosinalityVqVae2Config;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;
import org.vqvae.core.model.VqVaeConfig;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A VQ-VAE checkpoint directory: {@code config.json} (rebuilds the model), {@code model.params}
 * (DJL parameter file), {@code optimizer.ndlist} (Adam moments, when training), {@code
 * state.json} (step) and, for a VQ-VAE or VQ-VAE-2, {@code serving.properties}, which makes it a
 * DJL model directory ({@link ModelDirectory}). A new checkpoint is written to a temporary directory and
 * swapped in, so an interrupted save never leaves a half-written checkpoint behind.
 */
public final class Checkpoint {

    /** Name of the checkpoint directory inside a run directory. */
    public static final String DIR = "checkpoint";

    private static final String CONFIG = "config.json";
    private static final String PARAMS = "model.params";
    private static final String OPTIMIZER = "optimizer.ndlist";
    private static final String STATE = "state.json";

    private Checkpoint() {}

    /**
     * Saves a model (and optionally its optimizer state) as the only checkpoint of a run directory.
     *
     * @param runDir the run directory
     * @param model the model
     * @param optimizer the optimizer, or null
     * @param step training steps done
     * @throws IOException on failure
     */
    public static void save(Path runDir, CodeModel model, CheckpointableAdam optimizer, long step) throws IOException {
        save(runDir, model, model.configJson(), optimizer, step);
    }

    /**
     * Loads a VQ-VAE or VQ-VAE-2, whichever the checkpoint holds.
     *
     * @param modelDir a run directory or its checkpoint directory
     * @param manager the manager owning the parameters
     * @return the initialised model
     * @throws IOException if missing, malformed or not matching its config
     */
    public static CodeModel loadAny(Path modelDir, NDManager manager) throws IOException {
        String json = readConfigJson(modelDir);
        if (RosinalityVqVae2Config.isRosinality(json)) {
            RosinalityVqVae2Config config;
            try {
                config = RosinalityVqVae2Config.fromJson(json);
            } catch (IllegalArgumentException e) {
                throw new IOException(locate(modelDir).resolve(CONFIG) + ": " + e.getMessage(), e);
            }
            RosinalityVqVae2 model = new RosinalityVqVae2(config).initialize(manager);
            loadInitialized(modelDir, model, manager);
            return model;
        }
        if (!VqVae2Config.isVqVae2(json)) {
            return load(modelDir, manager);
        }
        VqVae2Config config;
        try {
            config = VqVae2Config.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IOException(locate(modelDir).resolve(CONFIG) + ": " + e.getMessage(), e);
        }
        VqVae2 model = new VqVae2(config).initialize(manager);
        loadInitialized(modelDir, model, manager);
        return model;
    }

    /**
     * Loads checkpoint parameters into a model of the same configuration.
     *
     * @param modelDir a run directory or its checkpoint directory
     * @param model the model to fill
     * @param manager the manager owning the parameters
     * @throws IOException if the checkpoint is missing, corrupt or from another configuration
     */
    public static void loadParameters(Path modelDir, CodeModel model, NDManager manager) throws IOException {
        if (model instanceof VqVae v) {
            loadParameters(modelDir, v, manager);
            return;
        }
        String json = readConfigJson(modelDir);
        if (!(model instanceof VqVae2 v2)) {
            throw new IOException("an imported " + model.getClass().getSimpleName() + " is loaded with loadAny, not trained");
        }
        if (!VqVae2Config.isVqVae2(json) || !VqVae2Config.fromJson(json).equals(v2.getConfig())) {
            throw new IOException("checkpoint " + locate(modelDir) + " was trained with a different config");
        }
        model.initialize(manager);
        loadInitialized(modelDir, model, manager);
    }

    /**
     * Saves any block with the JSON of its configuration as the only checkpoint of a run directory
     * (older numbered checkpoints are removed once it is in place).
     *
     * @param runDir the run directory
     * @param model the block
     * @param configJson the configuration that rebuilds the block
     * @param optimizer the optimizer, or null
     * @param step training steps done
     * @throws IOException on failure
     */
    public static void save(Path runDir, ai.djl.nn.Block model, String configJson, CheckpointableAdam optimizer,
            long step) throws IOException {
        new CheckpointSeries(runDir, 1).save(model, configJson, optimizer, step, null);
    }

    /**
     * Writes the files of one checkpoint into an (empty, temporary) directory; {@code state.json},
     * which readers take as the mark of a complete checkpoint, comes last.
     *
     * @param dir the directory
     * @param model the block
     * @param configJson the configuration that rebuilds the block
     * @param optimizer the optimizer, or null
     * @param step training steps done
     * @param schedule the learning-rate schedule of the run, or null
     * @throws IOException on failure
     */
    static void writeFiles(Path dir, ai.djl.nn.Block model, String configJson, CheckpointableAdam optimizer,
            long step, LearningRateSchedule schedule) throws IOException {
        Files.writeString(dir.resolve(CONFIG), configJson);
        try (DataOutputStream os = new DataOutputStream(
                new BufferedOutputStream(Files.newOutputStream(dir.resolve(PARAMS))))) {
            model.saveParameters(os);
        }
        if (optimizer != null) {
            try (BufferedOutputStream os = new BufferedOutputStream(Files.newOutputStream(dir.resolve(OPTIMIZER)))) {
                optimizer.save(model, os);
            }
        }
        if (model instanceof CodeModel) {
            // a DJL model directory on its own (README, "Using the library")
            ModelDirectory.writeServingProperties(dir);
        }
        JsonObject state = new JsonObject();
        state.addProperty("step", step);
        state.addProperty("optimizer_state", optimizer != null);
        if (schedule != null) {
            state.add("lr_schedule", schedule.toJson());
        }
        Files.writeString(dir.resolve(STATE), JsonUtils.GSON_PRETTY.toJson(state));
    }

    /**
     * Refuses to resume a run with a learning-rate schedule other than the one its checkpoint was
     * trained with (the rates of the remaining steps would differ from the uninterrupted run's).
     * Checkpoints written before schedules were recorded are accepted as they are.
     *
     * @param runDir the run directory
     * @param requested the schedule of the resumed run
     * @throws IOException if the checkpoint's state is unreadable
     * @throws IllegalArgumentException if the schedules differ
     */
    public static void requireSameSchedule(Path runDir, LearningRateSchedule requested) throws IOException {
        JsonObject state = readState(locate(runDir));
        if (!state.has("lr_schedule")) {
            return;
        }
        LearningRateSchedule saved;
        try {
            saved = LearningRateSchedule.fromJson(state.getAsJsonObject("lr_schedule"));
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(locate(runDir).resolve(STATE) + " is malformed: " + e.getMessage(), e);
        }
        if (!saved.equals(requested)) {
            throw new IllegalArgumentException("--resume: " + locate(runDir) + " was trained with " + saved
                    + ", this run asks for " + requested + "; repeat those flags or use a new --out");
        }
    }

    /**
     * Returns whether a run directory holds a checkpoint.
     *
     * @param runDir the run directory
     * @return true if its newest checkpoint (or {@code runDir/checkpoint}) holds {@code config.json}
     */
    public static boolean exists(Path runDir) {
        return Files.isRegularFile(locate(runDir).resolve(CONFIG));
    }

    /**
     * Reads the configuration of a checkpoint.
     *
     * @param modelDir a run directory or its checkpoint directory
     * @return the configuration
     * @throws IOException if missing or malformed
     */
    public static VqVaeConfig readConfig(Path modelDir) throws IOException {
        String json = readConfigJson(modelDir);
        try {
            return VqVaeConfig.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IOException(locate(modelDir).resolve(CONFIG) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the configuration JSON of any checkpoint.
     *
     * @param modelDir a run directory or its checkpoint directory
     * @return the JSON text
     * @throws IOException if missing
     */
    public static String readConfigJson(Path modelDir) throws IOException {
        Path config = locate(modelDir).resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new NoSuchFileException(config.toString(), null, "no model checkpoint (config.json) here");
        }
        return Files.readString(config);
    }

    /**
     * Loads a model from a checkpoint.
     *
     * @param modelDir a run directory or its checkpoint directory
     * @param manager the manager owning the parameters
     * @return the initialised model
     * @throws IOException if missing, malformed or not matching its config
     */
    public static VqVae load(Path modelDir, NDManager manager) throws IOException {
        if (VqVae2Config.isVqVae2(readConfigJson(modelDir))
                || RosinalityVqVae2Config.isRosinality(readConfigJson(modelDir))) {
            throw new IOException(locate(modelDir) + " holds a VQ-VAE-2; this needs a single-level VQ-VAE");
        }
        VqVaeConfig config = readConfig(modelDir);
        VqVae model = new VqVae(config);
        loadParameters(modelDir, model, manager);
        return model;
    }

    /**
     * Loads checkpoint parameters into a model built for the same configuration.
     *
     * @param modelDir a run directory or its checkpoint directory
     * @param model the model to fill
     * @param manager the manager owning the parameters
     * @throws IOException if the checkpoint is missing, corrupt or from another configuration
     */
    public static void loadParameters(Path modelDir, VqVae model, NDManager manager) throws IOException {
        String json = readConfigJson(modelDir);
        if (VqVae2Config.isVqVae2(json)) {
            throw new IOException("checkpoint " + locate(modelDir) + " holds a VQ-VAE-2, not a VQ-VAE");
        }
        VqVaeConfig saved = readConfig(modelDir);
        if (!saved.equals(model.getConfig())) {
            throw new IOException("checkpoint " + locate(modelDir) + " was trained with a different config ("
                    + difference(saved, model.getConfig()) + ")");
        }
        model.initialize(manager);
        loadInitialized(modelDir, model, manager);
    }

    /**
     * Loads checkpoint parameters into an initialised block of the same structure.
     *
     * @param modelDir a run directory or its checkpoint directory
     * @param model the initialised block
     * @param manager the manager owning the parameters
     * @throws IOException if the parameters are missing, corrupt or do not fit
     */
    public static void loadInitialized(Path modelDir, ai.djl.nn.Block model, NDManager manager) throws IOException {
        Path params = locate(modelDir).resolve(PARAMS);
        if (!Files.isRegularFile(params)) {
            throw new NoSuchFileException(params.toString(), null, "checkpoint has no parameters");
        }
        java.util.Map<String, ai.djl.ndarray.types.Shape> expected = new java.util.LinkedHashMap<>();
        for (var p : model.getParameters()) {
            expected.put(p.getKey(), p.getValue().getArray().getShape());
        }
        try (DataInputStream is = new DataInputStream(new BufferedInputStream(Files.newInputStream(params)))) {
            model.loadParameters(manager, is);
            // DJL's Parameter.load takes whatever shape the file holds: check each one
            for (var p : model.getParameters()) {
                ai.djl.ndarray.types.Shape got = p.getValue().getArray().getShape();
                if (!got.equals(expected.get(p.getKey()))) {
                    throw new IOException(params + " does not fit the model: parameter " + p.getKey() + " is " + got
                            + ", the configuration needs " + expected.get(p.getKey()));
                }
            }
            if (is.read() != -1) {
                throw new IOException(params + " has trailing bytes: not written by this model");
            }
            // DJL's Parameter.load does not restore the autograd flag of trainable parameters
            for (ai.djl.nn.Parameter p : model.getParameters().values()) {
                if (p.requiresGradient()) {
                    p.getArray().setRequiresGradient(true);
                }
            }
        } catch (MalformedModelException | RuntimeException e) {
            // DJL's decoder trusts the file's lengths: fuzzing found ArithmeticException (a shape of 2^31
            // elements or more) and NegativeArraySizeException (a negative rank) besides the
            // IllegalArgument/IllegalState it throws on a wrong block
            throw new IOException(params + " does not fit the model: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            // DJL's Shape.decode allocates the rank the file declares (new long[2^31 - 1]) before
            // reading it: that one allocation fails, the heap is not full, so it is a refusal like the
            // others (found by fuzzing; a rank that fits the heap is still allocated, then EOF)
            throw new IOException(params + " is corrupt: it declares an array too large to allocate", e);
        } catch (java.io.EOFException e) {
            throw new IOException(params + " is truncated", e);
        }
    }

    /**
     * Restores the optimizer state and returns the step of a checkpoint.
     *
     * @param runDir the run directory
     * @param model the loaded model
     * @param optimizer the optimizer to fill
     * @param manager the manager of the parameters
     * @return the step the checkpoint was taken at
     * @throws IOException if the state is unreadable
     */
    public static long restoreTraining(Path runDir, ai.djl.nn.Block model, CheckpointableAdam optimizer,
            NDManager manager)
            throws IOException {
        Path dir = locate(runDir);
        long step;
        try {
            step = readState(dir).get("step").getAsLong();
        } catch (NullPointerException | UnsupportedOperationException | ClassCastException e) {
            throw new IOException(dir.resolve(STATE) + " is malformed", e);
        }
        Path opt = dir.resolve(OPTIMIZER);
        if (Files.isRegularFile(opt)) {
            try (InputStream is = new BufferedInputStream(Files.newInputStream(opt))) {
                optimizer.load(model, is, manager);
            }
        }
        return step;
    }

    private static JsonObject readState(Path checkpointDir) throws IOException {
        Path file = checkpointDir.resolve(STATE);
        try {
            JsonObject state = JsonUtils.GSON.fromJson(Files.readString(file), JsonObject.class);
            if (state == null) {
                throw new IOException(file + " is empty");
            }
            return state;
        } catch (JsonParseException e) {
            throw new IOException(file + " is malformed", e);
        }
    }

    /**
     * Finds the checkpoint a path names: the path itself if it holds {@code config.json}, else the
     * newest numbered checkpoint of a run directory, else its {@code checkpoint} directory (the
     * layout of runs written before checkpoints were numbered).
     *
     * @param dir a run directory or a checkpoint directory
     * @return the checkpoint directory (which may not exist)
     */
    public static Path locate(Path dir) {
        if (Files.isRegularFile(dir.resolve(CONFIG))) {
            return dir;
        }
        return CheckpointSeries.newest(dir).orElse(dir.resolve(DIR));
    }

    private static String difference(VqVaeConfig a, VqVaeConfig b) {
        String[] x = a.toString().replaceAll("^.*\\[|\\]$", "").split(", ");
        String[] y = b.toString().replaceAll("^.*\\[|\\]$", "").split(", ");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (!x[i].equals(y[i])) {
                sb.append(sb.length() == 0 ? "" : ", ").append("checkpoint ").append(x[i])
                        .append(" vs requested ").append(y[i].substring(y[i].indexOf('=') + 1));
            }
        }
        return sb.toString();
    }


}
