package org.vqvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vqvae.cli.CliTest.assertOneLineError;
import static org.vqvae.cli.CliTest.run;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.train.CheckpointSeries;
import org.vqvae.core.train.LearningRateSchedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The long-run flags of {@code train} and {@code train-prior}: schedules, numbered checkpoints, resumption. */
class LongRunCliTest {

    @TempDir static Path work;
    static Path data;
    static Path model;
    static Path codes;

    private static final String[] TINY = {"--batch", "16", "--hidden", "8", "--res-channels", "4", "--res-blocks", "1",
        "--codes", "16", "--code-dim", "4", "--threads", "1"};

    private static String[] train(String... more) {
        return Stream.concat(Stream.concat(Stream.of("train", "--data", "mnist:" + data), Stream.of(TINY)),
                Stream.of(more)).toArray(String[]::new);
    }

    private static List<JsonObject> metrics(Path run) throws IOException {
        List<JsonObject> records = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            records.add(JsonUtils.GSON.fromJson(line, JsonObject.class));
        }
        return records;
    }

    private static List<Long> steps(Path run) throws IOException {
        return metrics(run).stream().map(o -> o.get("step").getAsLong()).toList();
    }

    @BeforeAll
    static void trainAndExtract() throws IOException {
        data = work.resolve("data");
        CliTest.writeTinyDataset(data);
        model = work.resolve("run");
        CliTest.Run r = run(train("--steps", "6", "--eval-every", "3", "--checkpoint-every", "2", "--keep-checkpoints",
                "2", "--lr-warmup", "2", "--lr-schedule", "cosine", "--out", model.toString()));
        assertEquals(0, r.code(), r.err());
        codes = work.resolve("codes");
        assertEquals(0, run("extract-codes", "--model", model.toString(), "--data", "mnist:" + data, "--out",
                codes.toString()).code());
    }

    @Test
    void trainKeepsTheNewestCheckpointsAndLogsTheLearningRate() throws IOException {
        assertEquals(List.of(model.resolve("checkpoint-000000004"), model.resolve("checkpoint-000000006")),
                CheckpointSeries.numbered(model));
        assertTrue(Files.isRegularFile(model.resolve("checkpoint/model.params")));
        LearningRateSchedule s = new LearningRateSchedule(2e-4f, 2, LearningRateSchedule.Kind.COSINE, 0, 6);
        List<JsonObject> m = metrics(model);
        assertEquals(List.of(3L, 6L), steps(model));
        assertEquals((float) s.at(2), m.get(0).get("lr").getAsFloat());
        assertEquals((float) s.at(5), m.get(1).get("lr").getAsFloat());
        assertTrue(m.get(1).has("images_per_s"));
    }

    @Test
    void resumeRefusesAnotherScheduleInOneLine() {
        String out = model.toString();
        assertOneLineError(run(train("--steps", "6", "--out", out, "--resume")), 1,
                "was trained with --lr 2.0E-4 --lr-warmup 2 --lr-schedule cosine --lr-min 0.0 over 6 steps");
        // a cosine schedule depends on the run's length: a longer run is another schedule
        assertOneLineError(run(train("--steps", "8", "--lr-warmup", "2", "--lr-schedule", "cosine", "--out", out,
                "--resume")), 1, "this run asks for --lr 2.0E-4 --lr-warmup 2 --lr-schedule cosine --lr-min 0.0 over 8");
    }

    @Test
    void trainPriorResumesWithoutRepeatingOrSkippingSteps() throws IOException {
        Path prior = work.resolve("prior");
        String[] flags = {"train-prior", "--codes", codes.toString(), "--batch", "8", "--channels", "8", "--layers", "2",
            "--eval-every", "1", "--checkpoint-every", "3", "--lr-warmup", "2", "--out", prior.toString(), "--threads",
            "1"};
        CliTest.Run first = run(Stream.concat(Stream.of(flags), Stream.of("--steps", "4")).toArray(String[]::new));
        assertEquals(0, first.code(), first.err());
        List<String> before = Files.readAllLines(prior.resolve("metrics.jsonl"));
        // a constant schedule does not depend on --steps: the run can be extended
        CliTest.Run more = run(Stream.concat(Stream.of(flags), Stream.of("--steps", "7", "--resume"))
                .toArray(String[]::new));
        assertEquals(0, more.code(), more.err());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), steps(prior));
        // resumed, not restarted: the first run's lines (with their elapsed times) are still there
        assertEquals(before, Files.readAllLines(prior.resolve("metrics.jsonl")).subList(0, 4));
        JsonObject last = metrics(prior).get(6);
        assertEquals(1e-3f, last.get("lr").getAsFloat());
        assertTrue(last.get("images_per_s").getAsDouble() > 0, last.toString());
        assertEquals(List.of(prior.resolve("checkpoint-000000007")), CheckpointSeries.numbered(prior));

        assertOneLineError(run("train-prior", "--codes", codes.toString(), "--batch", "8", "--channels", "16",
                "--layers", "2", "--steps", "8", "--out", prior.toString(), "--resume"), 1, "holds a prior of other flags or codes");
    }

    @Test
    void badLongRunFlagsAreOneLine() {
        String out = work.resolve("bad").toString();
        assertOneLineError(run(train("--lr-schedule", "linear", "--out", out)), 1,
                "--lr-schedule must be constant or cosine, got linear");
        assertOneLineError(run(train("--keep-checkpoints", "0", "--out", out)), 1, "--keep-checkpoints must be >= 1");
        assertOneLineError(run(train("--checkpoint-every", "0", "--out", out)), 1, "--checkpoint-every must be >= 1");
        assertOneLineError(run(train("--lr-warmup", "-1", "--out", out)), 1, "--lr-warmup must be >= 0");
        assertOneLineError(run(train("--lr-min", "1e-5", "--out", out)), 1, "--lr-min applies to --lr-schedule cosine");
        assertOneLineError(run(train("--lr-schedule", "cosine", "--lr-min", "1", "--out", out)), 1,
                "--lr-min must be >= 0 and below --lr");
        assertOneLineError(run(train("--steps", "5", "--lr-schedule", "cosine", "--lr-warmup", "5", "--out", out)), 1,
                "more steps (5) than warm-up steps (5)");
        assertOneLineError(run("train-prior", "--codes", codes.toString(), "--lr-schedule", "step", "--out", out), 1,
                "--lr-schedule must be constant or cosine");
        assertOneLineError(run("train-prior", "--codes", codes.toString(), "--keep-checkpoints", "0", "--out", out), 1,
                "--keep-checkpoints must be >= 1");
        assertTrue(Files.notExists(work.resolve("bad")), "a refused run wrote files");
    }
}
