package org.vqvae.core.train;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends one JSON object per line to {@code metrics.jsonl}; each line is written whole. */
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
