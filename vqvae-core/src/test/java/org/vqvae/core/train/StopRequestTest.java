package org.vqvae.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import org.junit.jupiter.api.AfterEach;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * A stop requested mid-run (what the {@code vqvae} command's shutdown hook does on Ctrl-C or
 * {@code kill}) ends the loop at the next step boundary with a checkpoint of that very step, between
 * the periodic ones, and the resumed run ends exactly where the uninterrupted run ends.
 */
class StopRequestTest {

    private static final VqVaeConfig CONFIG = VqVaeConfig.defaults(1, 28, 28).withTrunk(16, 8, 1).withCodebook(16, 8);

    /** A log that requests a stop when the trainer reports step {@code at}'s evaluation. */
    static final class StoppingLog extends PrintStream {
        private final long at;

        StoppingLog(long at) {
            super(OutputStream.nullOutputStream());
            this.at = at;
        }

        @Override
        public PrintStream format(Locale l, String format, Object... args) {
            if (String.format(l, format, args).contains("step " + at + ":")) {
                StopRequest.request();
            }
            return this;
        }
    }

    @AfterEach
    void clear() {
        StopRequest.clear();
    }

    private static void train(DataSpec.Splits<ImageSource> data, Path out, PrintStream log) throws IOException {
        Engine.getInstance().setRandomSeed(0);
        // evaluated every step, periodic checkpoints every 4 steps only
        TrainingOptions options = new TrainingOptions(8, 16, 2e-3f, 0, 1, out, true).withData(1, 32)
                .withLongRun(LearningRateSchedule.constant(2e-3f), 4, 3);
        new VqVaeTrainer(new VqVae(CONFIG), options, log).train(data, "embedded", Device.cpu());
    }

    @Test
    void aStoppedRunCheckpointsItsLastStepAndResumesExactly(@TempDir Path dir) throws Exception {
        Engine.getEngine("PyTorch");
        int threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        try {
            DataSpec.Splits<ImageSet> all = DataSpec.parse("embedded").load();
            DataSpec.Splits<ImageSource> data = new DataSpec.Splits<>(
                    all.train().subset(IntStream.range(0, 128).toArray()),
                    all.test().subset(IntStream.range(0, 16).toArray()), all.classes());
            Path straight = dir.resolve("straight");
            train(data, straight, new StoppingLog(-1));

            Path stopped = dir.resolve("stopped");
            StopRequest.TrainingStopped e = assertThrows(StopRequest.TrainingStopped.class,
                    () -> train(data, stopped, new StoppingLog(5)));
            assertEquals(5, e.step());
            assertTrue(e.getMessage().contains("--resume"), e.getMessage());
            // the periodic checkpoint of step 4 and the stop's of step 5
            assertEquals(java.util.List.of("checkpoint-000000004", "checkpoint-000000005"),
                    CheckpointSeries.numbered(stopped).stream().map(p -> p.getFileName().toString()).toList());
            // no loop is running any more: a shutdown hook waiting for it returns at once
            assertTrue(StopRequest.awaitIdle(Duration.ZERO));

            StopRequest.clear();
            train(data, stopped, new StoppingLog(-1));
            LongRunTest.assertSameEnd(straight, stopped, 8);
            assertEquals(8, LongRunTest.metrics(stopped).size());
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    @Test
    void awaitIdleWaitsForARunningLoop() throws Exception {
        StopRequest.Running busy = StopRequest.enter();
        assertFalse(StopRequest.awaitIdle(Duration.ofMillis(20)));
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            busy.close();
        });
        t.start();
        assertTrue(StopRequest.awaitIdle(Duration.ofSeconds(10)));
        busy.close(); // a second close changes nothing
        assertTrue(StopRequest.awaitIdle(Duration.ZERO));
    }
}
