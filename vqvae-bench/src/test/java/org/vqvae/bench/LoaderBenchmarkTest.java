package org.vqvae.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** The loader benchmark's Java side on a tiny folder: one batch per pipeline, sane figures. */
class LoaderBenchmarkTest {

    @Test
    void measuresFolderAndShardsIntoFloatBatches(@TempDir Path tmp) throws Exception {
        Path folder = tmp.resolve("photos");
        PhotoFolder.write(folder, 6, List.of(), 3);
        try (Stream<Path> files = Files.walk(folder)) {
            assertEquals(6, files.filter(p -> p.toString().endsWith(".JPEG")).count());
        }
        LoaderBenchmark.Settings s = new LoaderBenchmark.Settings(32, 4, new int[] {0, 2}, 1, 1, 2, 1);
        LoaderBenchmark.Results r = LoaderBenchmark.run(folder, tmp.resolve("shards"), s,
                new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(6, r.images());
        assertEquals(6, r.prepare().images());
        assertTrue(r.prepare().imagesPerSecond() > 0);
        assertEquals(List.of("loader-folder-w0", "loader-folder-w2", "loader-shards-w0", "loader-shards-w2"),
                r.figures().stream().map(LoaderBenchmark.Figure::id).toList());
        for (LoaderBenchmark.Figure f : r.figures()) {
            assertEquals(4, f.images(), f.id());
            assertTrue(f.imagesPerSecond() > 0 && Double.isFinite(f.imagesPerSecond()), f.id());
            assertArrayEquals(new long[] {4, 3, 32, 32}, f.shape(), f.id());
        }

        // the report's section: torchvision's rate over ours, ours over the training step's images/s
        JsonObject tv = new JsonObject();
        tv.addProperty("images_per_s", 2 * r.figures().get(1).imagesPerSecond());
        JsonObject peer = new JsonObject();
        peer.addProperty("status", "ok");
        BenchReport.Figure training = new BenchReport.Figure(LoaderTable.TRAINING_ID, 1000, 0,
                Map.of("model", "vqvae2-256:16"));
        LoaderTable table = new LoaderTable(r, Map.of("loader-folder-w2", tv), peer, "test", training, Double.NaN);
        assertEquals(2.0, table.ratio(r.figures().get(1)), 1e-9);
        assertEquals(2.0, table.ratio(r.figures().get(3)) * r.figures().get(3).imagesPerSecond()
                / r.figures().get(1).imagesPerSecond(), 1e-9);
        assertTrue(Double.isNaN(table.ratio(r.figures().get(0))), "no torchvision figure for 0 workers here");
        assertEquals(r.figures().get(0).imagesPerSecond() / 16, table.overTraining(r.figures().get(0)), 1e-9);
        assertTrue(table.markdown().contains("| folder | 2 |"));
        assertEquals(4, table.json().getAsJsonArray("rows").size());
    }

    @Test
    void cropsKeepTheOutputSize() {
        BufferedImage photo = new BufferedImage(300, 260, BufferedImage.TYPE_INT_RGB);
        BufferedImage crop = PhotoFolder.crop(photo, 500, 375, new Random(1));
        assertEquals(500, crop.getWidth());
        assertEquals(375, crop.getHeight());
    }

    @Test
    void onlySelectsAsJmhIncludesDo() {
        assertTrue(BenchReport.selects(null, List.of(LoaderBenchmark.NAME)));
        assertTrue(BenchReport.selects("Loader", List.of(LoaderBenchmark.NAME)));
        assertFalse(BenchReport.selects("TrainStep", List.of(LoaderBenchmark.NAME)));
    }
}
