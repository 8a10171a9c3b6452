package org.vqvae.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A run killed three times, each time between checkpoints, and resumed ends exactly where the
 * uninterrupted run ends: the same parameters and Adam state bit for bit (the resumed steps see
 * the same batches, learning rates and optimizer state, and dead-code restarts draw from the step's
 * state, not from the engine's random stream), and a metrics log with every evaluated step once. Both runs use one
 * libtorch thread: with several, parallel float sums may be ordered differently from run to run, so
 * that even two uninterrupted runs differ in the last bits (and the discrete code choices amplify
 * that); one thread makes the comparison one of resumption alone.
 */
class LongRunTest {

    /** Thrown by {@link KillingLog}: the process dying right after a step's metrics line. */
    static final class Killed extends RuntimeException {
        Killed(long step) {
            super("killed after step " + step);
        }
    }

    /** A log that kills the run when the trainer reports a step's evaluation. */
    static final class KillingLog extends PrintStream {
        private static final Pattern STEP = Pattern.compile("step (\\d+):");
        private final long killAt;

        KillingLog(long killAt) {
            super(OutputStream.nullOutputStream());
            this.killAt = killAt;
        }

        @Override
        public PrintStream format(Locale l, String format, Object... args) {
            check(String.format(l, format, args));
            return this;
        }

        @Override
        public PrintStream format(String format, Object... args) {
            check(String.format(format, args));
            return this;
        }

        private void check(String line) {
            Matcher m = STEP.matcher(line);
            if (m.find() && Long.parseLong(m.group(1)) == killAt) {
                throw new Killed(killAt);
            }
        }
    }

    /** Codes unused for 2 steps restart, so the resumed steps restart codes as the straight run does. */
    private static final VqVaeConfig CONFIG = VqVaeConfig.defaults(1, 28, 28).withTrunk(16, 8, 1).withCodebook(16, 8)
            .withCodebookHealth(2, false);
    private static final long STEPS = 14;
    private static final LearningRateSchedule SCHEDULE =
            new LearningRateSchedule(2e-3f, 3, LearningRateSchedule.Kind.COSINE, 1e-5f, STEPS);

    private static void train(DataSpec.Splits<ImageSource> data, Path out, PrintStream log) throws IOException {
        Engine.getInstance().setRandomSeed(0);
        // evaluated every step, checkpointed every 4, 2 kept
        TrainingOptions options = new TrainingOptions(STEPS, 16, 2e-3f, 0, 1, out, true).withData(1, 32)
                .withLongRun(SCHEDULE, 4, 2);
        new VqVaeTrainer(new VqVae(CONFIG), options, log).train(data, "embedded", Device.cpu());
    }

    @Test
    void aRunKilledAndResumedThreeTimesEndsWhereTheUninterruptedRunEnds(@TempDir Path dir) throws IOException {
        Engine.getEngine("PyTorch"); // loads libtorch
        int threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        try {
            killAndResume(dir);
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    private static void killAndResume(Path dir) throws IOException {
        DataSpec.Splits<ImageSet> all = DataSpec.parse("embedded").load();
        // a few hundred images: the end-of-run baseline and pictures take no time
        DataSpec.Splits<ImageSource> data = new DataSpec.Splits<>(all.train().subset(IntStream.range(0, 256).toArray()),
                all.test().subset(IntStream.range(0, 32).toArray()), all.classes());
        Path straight = dir.resolve("straight");
        train(data, straight, new KillingLog(-1));

        Path interrupted = dir.resolve("interrupted");
        // killed after steps 6, 9 and 13: each resume goes back to the checkpoint of step 4, 8 and 12
        for (long kill : new long[] {6, 9, 13}) {
            assertThrows(Killed.class, () -> train(data, interrupted, new KillingLog(kill)));
        }
        train(data, interrupted, new KillingLog(-1));

        List<JsonObject> a = metrics(straight);
        List<JsonObject> b = metrics(interrupted);
        assertEquals(STEPS, b.size());
        for (int i = 0; i < STEPS; i++) {
            assertEquals(i + 1, b.get(i).get("step").getAsLong(), "metrics step " + (i + 1));
            assertEquals((float) SCHEDULE.at(i), b.get(i).get("lr").getAsFloat(), "lr of step " + (i + 1));
            for (String key : new String[] {"train_loss", "test_mse", "perplexity", "lr"}) {
                assertEquals(a.get(i).get(key), b.get(i).get(key), key + " at step " + (i + 1));
            }
        }
        assertSameEnd(straight, interrupted, STEPS);
        assertEquals(List.of("checkpoint-000000012", "checkpoint-000000014"),
                CheckpointSeries.numbered(interrupted).stream().map(p -> p.getFileName().toString()).toList());
    }

    /** Both runs' last checkpoints hold identical parameters and Adam state, byte for byte. */
    static void assertSameEnd(Path a, Path b, long step) throws IOException {
        Path ca = a.resolve(CheckpointSeries.name(step));
        Path cb = b.resolve(CheckpointSeries.name(step));
        assertArrayEquals(Files.readAllBytes(ca.resolve("model.params")), Files.readAllBytes(cb.resolve("model.params")),
                "parameters differ");
        assertArrayEquals(Files.readAllBytes(ca.resolve("optimizer.ndlist")),
                Files.readAllBytes(cb.resolve("optimizer.ndlist")), "Adam state differs");
    }

    static List<JsonObject> metrics(Path run) throws IOException {
        List<JsonObject> records = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            records.add(JsonUtils.GSON.fromJson(line, JsonObject.class));
        }
        return records;
    }
}
