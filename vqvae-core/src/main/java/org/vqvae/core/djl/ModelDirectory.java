package org.vqvae.core.djl;

import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.model.VqVae2Config;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.Checkpoint;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What makes a run or checkpoint directory a DJL model directory: its {@code serving.properties},
 * naming the engine, {@link VqVaeBlockFactory} (which reads {@code config.json} and {@code
 * model.params} of the newest checkpoint itself, hence {@code option.hasParameter=false}) and
 * {@link VqVaeTranslatorFactory}. Training writes it into the run directory and into every
 * checkpoint; directories written before it, which only hold a checkpoint, are recognised by
 * their {@code config.json} and read with these same settings.
 */
public final class ModelDirectory {

    /** The file DJL reads a model directory's settings from. */
    public static final String SERVING_PROPERTIES = "serving.properties";

    private static final String TEXT = "# a VQ-VAE / VQ-VAE-2 of vqvae-djl: Criteria.builder().setTypes(Image.class, CodeMaps.class)\n"
            + "#     .optModelPath(this directory).build().loadModel() (README, \"Using the library\")\n"
            + "engine=PyTorch\n"
            + "blockFactory=" + VqVaeBlockFactory.class.getName() + "\n"
            + "translatorFactory=" + VqVaeTranslatorFactory.class.getName() + "\n"
            + "option.hasParameter=false\n";

    private ModelDirectory() {}

    /**
     * Writes (or rewrites, if it differs) the {@code serving.properties} of a model directory.
     *
     * @param dir a run directory or a checkpoint directory
     * @throws IOException on failure
     */
    public static void writeServingProperties(Path dir) throws IOException {
        Path file = dir.resolve(SERVING_PROPERTIES);
        if (!Files.isRegularFile(file) || !Files.readString(file).equals(TEXT)) {
            AtomicFiles.writeString(file, TEXT);
        }
    }

    /**
     * Returns the settings DJL should load a directory with, if it is a model directory of ours:
     * its {@code serving.properties} when that names our block factory, the defaults when it has
     * none but holds a VQ-VAE or VQ-VAE-2 checkpoint.
     *
     * @param dir any directory
     * @return the settings ({@code option.} keys included), or empty if not ours
     */
    static Optional<Map<String, String>> settings(Path dir) {
        try {
            Path file = dir.resolve(SERVING_PROPERTIES);
            if (Files.isRegularFile(file)) {
                Map<String, String> found = parse(Files.newBufferedReader(file));
                return VqVaeBlockFactory.class.getName().equals(found.get("blockFactory"))
                        ? Optional.of(found) : Optional.empty();
            }
            return holdsCodeModel(dir) ? Optional.of(parse(new StringReader(TEXT))) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty(); // not readable as ours: DJL's own handling applies
        }
    }

    private static boolean holdsCodeModel(Path dir) throws IOException {
        if (!Files.isDirectory(dir) || !Checkpoint.exists(dir)) {
            return false;
        }
        String json = Checkpoint.readConfigJson(dir);
        if (VqVae2Config.isVqVae2(json)) {
            return true;
        }
        VqVaeConfig.fromJson(json); // a prior's configuration is refused here
        return true;
    }

    private static Map<String, String> parse(Reader in) throws IOException {
        Properties p = new Properties();
        try (in) {
            p.load(in);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            out.put(key, p.getProperty(key));
        }
        return out;
    }
}
