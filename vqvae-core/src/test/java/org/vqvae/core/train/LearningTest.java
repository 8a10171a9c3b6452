package org.vqvae.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Learning really happens on real digits: the embedded MNIST sample. */
class LearningTest {

    @Test
    void shortRunBeatsTheMeanImageAndThenResumes(@TempDir Path out) throws Exception {
        Engine.getInstance().setRandomSeed(0);
        DataSpec.Splits<ImageSet> data = DataSpec.parse("embedded").load();
        VqVaeConfig config = VqVaeConfig.defaults(1, 28, 28).withTrunk(32, 16, 1).withCodebook(64, 16);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        TrainingOptions options = new TrainingOptions(400, 64, 1e-3f, 0, 200, out, false);
        TrainingSummary s = new VqVaeTrainer(new VqVae(config), options, quiet).train(data, "embedded", Device.cpu());

        double baseline = data.train().meanImageMse(data.test());
        assertTrue(s.testMse() < 0.5 * baseline, "test mse " + s.testMse() + " vs mean-image " + baseline);
        assertTrue(s.perplexity() > 1.5, "perplexity " + s.perplexity());
        assertEquals(baseline, s.meanImageMse(), 1e-9);

        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        JsonObject last = JsonUtils.GSON.fromJson(lines.get(1), JsonObject.class);
        assertEquals(400, last.get("step").getAsLong());
        assertEquals(s.testMse(), last.get("test_mse").getAsDouble(), 1e-6);
        JsonObject summary = JsonUtils.GSON.fromJson(Files.readString(out.resolve("summary.json")), JsonObject.class);
        for (String key : new String[] {"steps", "batch", "ms_per_step", "test_mse", "test_psnr", "perplexity", "codebook_usage"}) {
            assertTrue(summary.has(key), key);
        }
        assertTrue(Files.size(out.resolve("reconstructions.png")) > 1000);

        // resume: continues at step 400 with Adam's state and ends at 420
        TrainingOptions more = new TrainingOptions(420, 64, 1e-3f, 0, 10, out, true);
        TrainingSummary r = new VqVaeTrainer(new VqVae(config), more, quiet).train(data, "embedded", Device.cpu());
        assertEquals(420, r.steps());
        List<String> after = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(4, after.size());
        assertTrue(r.testMse() < 0.5 * baseline, "resumed run got worse: " + r.testMse());
    }
}
