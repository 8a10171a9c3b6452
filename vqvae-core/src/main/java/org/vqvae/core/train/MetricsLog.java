package org.vqvae.core.train;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import org.vqvae.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Appends one JSON object per line to {@code metrics.jsonl}; each line is written whole. A run
 * resumed from the checkpoint of step {@code s} first drops the lines of later steps (the steps it
 * will take again), so the file never holds a step twice.
 */
public final class MetricsLog {

    private final Path path;

    /**
     * Opens a metrics log.
     *
     * @param path the JSON-lines file
     * @param append keep existing lines (resumed run) or start afresh
     * @throws IOException on failure
     */
    public MetricsLog(Path path, boolean append) throws IOException {
        this.path = path;
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (!append) {
            Files.deleteIfExists(path);
        }
    }

    /**
     * Opens the log of a run resumed from the checkpoint of a step: lines of later steps, and any
     * line that is not a whole JSON object with a step (a write cut short by a kill), are dropped,
     * atomically, before the resumed run appends.
     *
     * @param path the JSON-lines file
     * @param step the step of the checkpoint the run resumes from
     * @return the log
     * @throws IOException on failure
     */
    public static MetricsLog resumedAt(Path path, long step) throws IOException {
        if (Files.isRegularFile(path)) {
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            StringBuilder kept = new StringBuilder();
            for (String line : lines) {
                long at = stepOf(line);
                if (at >= 0 && at <= step) {
                    kept.append(line).append('\n');
                }
            }
            AtomicFiles.writeString(path, kept.toString());
        }
        return new MetricsLog(path, true);
    }

    private static long stepOf(String line) {
        try {
            JsonObject o = JsonUtils.GSON.fromJson(line, JsonObject.class);
            return o != null && o.has("step") ? o.get("step").getAsLong() : -1;
        } catch (JsonParseException | UnsupportedOperationException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Appends a record.
     *
     * @param record the metrics
     * @throws IOException on failure
     */
    public void append(JsonObject record) throws IOException {
        byte[] line = (record.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(path, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }
}
