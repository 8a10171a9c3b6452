package org.vqvae.bench;

import com.google.gson.JsonObject;

import org.vqvae.core.io.AtomicFiles;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's loader run: writes a {@link PhotoFolder} into a temporary directory, measures it
 * with {@link LoaderBenchmark} and with {@code torch_loader_bench.py}, and deletes it.
 */
final class LoaderReport {

    private LoaderReport() {}

    /**
     * Runs both sides.
     *
     * @param mode short or long
     * @param threads threads of both sides
     * @param images photos in the folder
     * @param photos source photos to crop, or null to synthesise
     * @param python the Python interpreter
     * @param script torch_loader_bench.py
     * @param training our VQ-VAE-2 256x256 training figure, or null
     * @param theirTrainingMs PyTorch's, or NaN
     * @return the report's section
     * @throws IOException if the folder cannot be written or read
     * @throws InterruptedException if interrupted while the Python side runs
     */
    static LoaderTable run(String mode, int threads, int images, Path photos, String python, String script,
            BenchReport.Figure training, double theirTrainingMs) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("vqvae-loader");
        try {
            Path folder = work.resolve("photos");
            List<BufferedImage> sources = photos == null ? List.of() : PhotoFolder.readSources(photos);
            String content = sources.isEmpty() ? "synthesised texture"
                    : "crops of " + sources.size() + " photos in " + photos;
            System.out.println("loader benchmark: writing " + images + " JPEGs (" + content + ") to " + folder);
            PhotoFolder.write(folder, images, sources, 1);
            LoaderBenchmark.Settings s = LoaderBenchmark.Settings.of(mode, threads);
            LoaderBenchmark.Results ours = LoaderBenchmark.run(folder, work.resolve("shards"), s, System.out);
            JsonObject peer = new JsonObject();
            Map<String, JsonObject> theirs = new LinkedHashMap<>();
            if (!Files.isExecutable(Path.of(python)) || !Files.isRegularFile(Path.of(script))) {
                peer.addProperty("status", "not run: " + python + " or " + script + " missing");
            } else {
                List<String> cmd = new ArrayList<>(List.of(python, script, "--folder", folder.toString(), "--threads",
                        "" + threads, "--size", "" + s.size(), "--batch", "" + s.batch(), "--warmup", "" + s.warmup(),
                        "--batches", "" + s.batches(), "--workers"));
                for (int w : s.workers()) {
                    cmd.add(Integer.toString(w));
                }
                for (JsonObject o : BenchReport.runPython(cmd, peer)) {
                    theirs.put(o.get("id").getAsString(), o);
                }
            }
            return new LoaderTable(ours, theirs, peer, content, training, theirTrainingMs);
        } finally {
            AtomicFiles.deleteTree(work);
        }
    }
}
