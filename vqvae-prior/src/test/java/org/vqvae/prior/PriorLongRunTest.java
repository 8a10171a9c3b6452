package org.vqvae.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.train.CheckpointSeries;
import org.vqvae.core.train.LearningRateSchedule;
import org.vqvae.core.train.TrainingOptions;

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

/**
 * A prior run killed three times between checkpoints and resumed ends bit for bit where the
 * uninterrupted run ends, with every evaluated step once in its metrics (one libtorch thread, as in
 * the VQ-VAE trainer's LongRunTest, so that only resumption is compared).
 */
class PriorLongRunTest {

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

    private static final long STEPS = 14;
    private static final LearningRateSchedule SCHEDULE =
            new LearningRateSchedule(3e-3f, 3, LearningRateSchedule.Kind.COSINE, 1e-5f, STEPS);

    private static CodeSet codes() {
        int n = 16;
        long[] codes = new long[n * 16];
        long[] labels = new long[n];
        for (int s = 0; s < n; s++) {
            labels[s] = s % 4;
            for (int p = 0; p < 16; p++) {
                codes[s * 16 + p] = (s * 3 + p * (s + 1)) % 8;
            }
        }
        return new CodeSet(codes, labels, 4, 4);
    }

    private static void train(CodeSet set, Path out, PrintStream log) throws IOException {
        Engine.getInstance().setRandomSeed(0);
        GatedPixelCnn prior = new GatedPixelCnn(PixelCnnConfig.defaults(8, 4, 4, 4).withSize(16, 3, 3));
        // evaluated every step, checkpointed every 4, 2 kept
        TrainingOptions options = new TrainingOptions(STEPS, 4, 3e-3f, 0, 1, out, true, 0, TrainingOptions.ALL_IMAGES)
                .withLongRun(SCHEDULE, 4, 2);
        new PriorTrainer(prior, options, log).train(set, set, Device.cpu());
    }

    @Test
    void aPriorRunKilledAndResumedThreeTimesEndsWhereTheUninterruptedRunEnds(@TempDir Path dir) throws IOException {
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
        CodeSet set = codes();
        Path straight = dir.resolve("straight");
        train(set, straight, new KillingLog(-1));
        Path interrupted = dir.resolve("interrupted");
        // killed after steps 6, 9 and 13: each resume goes back to the checkpoint of step 4, 8 and 12
        for (long kill : new long[] {6, 9, 13}) {
            assertThrows(Killed.class, () -> train(set, interrupted, new KillingLog(kill)));
        }
        train(set, interrupted, new KillingLog(-1));

        List<JsonObject> a = metrics(straight);
        List<JsonObject> b = metrics(interrupted);
        assertEquals(STEPS, b.size());
        for (int i = 0; i < STEPS; i++) {
            assertEquals(i + 1, b.get(i).get("step").getAsLong(), "metrics step " + (i + 1));
            assertEquals((float) SCHEDULE.at(i), b.get(i).get("lr").getAsFloat(), "lr of step " + (i + 1));
            assertTrue(b.get(i).get("images_per_s").getAsDouble() > 0, "images_per_s at step " + (i + 1));
            for (String key : new String[] {"train_bits_per_code", "test_bits_per_code", "lr"}) {
                assertEquals(a.get(i).get(key), b.get(i).get(key), key + " at step " + (i + 1));
            }
        }
        Path ca = straight.resolve(CheckpointSeries.name(STEPS));
        Path cb = interrupted.resolve(CheckpointSeries.name(STEPS));
        assertArrayEquals(Files.readAllBytes(ca.resolve("model.params")), Files.readAllBytes(cb.resolve("model.params")),
                "parameters differ");
        assertArrayEquals(Files.readAllBytes(ca.resolve("optimizer.ndlist")),
                Files.readAllBytes(cb.resolve("optimizer.ndlist")), "Adam state differs");
    }

    private static List<JsonObject> metrics(Path run) throws IOException {
        List<JsonObject> records = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            records.add(JsonUtils.GSON.fromJson(line, JsonObject.class));
        }
        return records;
    }
}
