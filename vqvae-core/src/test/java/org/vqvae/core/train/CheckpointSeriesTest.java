package org.vqvae.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Numbered checkpoints: the newest K kept, always one complete, older layouts still read. */
class CheckpointSeriesTest {

    private static Block block(NDManager manager) {
        Block b = Linear.builder().setUnits(2).build();
        b.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
        return b;
    }

    private static List<String> names(Path run) throws IOException {
        return CheckpointSeries.numbered(run).stream().map(p -> p.getFileName().toString()).toList();
    }

    private static List<String> everything(Path run) throws IOException {
        try (Stream<Path> s = Files.list(run)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void keepsTheNewestAndLinksCheckpointToIt(@TempDir Path run) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = block(m);
            CheckpointSeries series = new CheckpointSeries(run, 2);
            for (long step = 100; step <= 500; step += 100) {
                series.save(b, "{}", null, step, LearningRateSchedule.constant(1e-3f));
            }
            assertEquals(List.of("checkpoint-000000400", "checkpoint-000000500"), names(run));
            assertTrue(Files.isSymbolicLink(run.resolve("checkpoint")));
            assertEquals(run.resolve("checkpoint-000000500").toRealPath(), run.resolve("checkpoint").toRealPath());
            assertEquals(run.resolve("checkpoint-000000500"), Checkpoint.locate(run));
            // DIR/checkpoint/ reads as it always did
            assertTrue(Files.isRegularFile(run.resolve("checkpoint/model.params")));
            assertEquals(List.of("checkpoint", "checkpoint-000000400", "checkpoint-000000500"), everything(run));
        }
    }

    @Test
    void readsAndThenSupersedesThePlainDirectoryOfOlderRuns(@TempDir Path run) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = block(m);
            Path legacy = Files.createDirectories(run.resolve(Checkpoint.DIR));
            Checkpoint.writeFiles(legacy, b, "{}", null, 300, null);
            assertTrue(Checkpoint.exists(run));
            assertEquals(legacy, Checkpoint.locate(run));
            // no schedule recorded: any schedule may resume it
            Checkpoint.requireSameSchedule(run, LearningRateSchedule.constant(5e-3f));

            new CheckpointSeries(run, 1).save(b, "{}", null, 400, LearningRateSchedule.constant(1e-3f));
            assertEquals(List.of("checkpoint", "checkpoint-000000400"), everything(run));
            assertTrue(Files.isSymbolicLink(run.resolve("checkpoint")));
        }
    }

    @Test
    void aFreshRunReplacesTheCheckpointsOfAnEarlierOneAndLeftoversGo(@TempDir Path run) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = block(m);
            CheckpointSeries series = new CheckpointSeries(run, 3);
            series.save(b, "{}", null, 10, null);
            series.save(b, "{}", null, 20, null);
            // what a kill during a save or a deletion leaves: ignored by readers, removed by the next save
            Files.createDirectories(run.resolve(".checkpoint-123/half"));
            Files.createDirectories(run.resolve(".retired-checkpoint-000000001-x"));
            assertEquals(run.resolve("checkpoint-000000020"), Checkpoint.locate(run));

            series.save(b, "{}", null, 10, null);
            assertEquals(List.of("checkpoint", "checkpoint-000000010"), everything(run));
        }
    }

    @Test
    void refusesToResumeWithAnotherSchedule(@TempDir Path run) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            LearningRateSchedule cosine = new LearningRateSchedule(1e-3f, 5, LearningRateSchedule.Kind.COSINE, 0, 100);
            new CheckpointSeries(run, 1).save(block(m), "{}", null, 10, cosine);
            Checkpoint.requireSameSchedule(run, cosine);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.requireSameSchedule(run, LearningRateSchedule.constant(1e-3f)));
            assertTrue(e.getMessage().contains("--lr-schedule cosine"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void aResumedMetricsLogDropsTheStepsItWillTakeAgain(@TempDir Path run) throws IOException {
        Path file = run.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":2}\n{\"step\":4}\n{\"step\":6}\n{\"step\":8,\"test_m");
        MetricsLog log = MetricsLog.resumedAt(file, 4);
        JsonObject next = new JsonObject();
        next.addProperty("step", 6);
        log.append(next);
        assertEquals(List.of("{\"step\":2}", "{\"step\":4}", "{\"step\":6}"), Files.readAllLines(file));
    }
}
