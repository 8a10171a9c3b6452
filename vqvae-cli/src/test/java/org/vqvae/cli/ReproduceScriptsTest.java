package org.vqvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The reproduction scripts end to end: {@code reproduce/imagenet256/run.sh --smoke} on a 64-image
 * folder in ImageNet's layout (plus a 8-image held-out folder) and {@code reproduce/cifar10/run.sh
 * --smoke} on CIFAR-10 binary batches written here; each once with {@code --stage} for the first
 * stage, then whole, then again, when every stage must be skipped.
 */
class ReproduceScriptsTest {

    private static final Path ROOT = repoRoot();

    record Script(int code, String out, double seconds) {}

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("reproduce/lib.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("reproduce/lib.sh not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /**
     * Runs a run.sh with the command line of this build: VQVAE points at a wrapper that starts the
     * CLI from the test class path, so nothing is rebuilt by the launcher.
     */
    static Script script(Path work, String script, String... args) throws IOException, InterruptedException {
        Path wrapper = work.resolve("vqvae-test");
        if (!Files.exists(wrapper)) {
            Files.writeString(wrapper, "#!/usr/bin/env bash\nexec \"$VQVAE_JAVA\" -Xmx2g -Dai.djl.offline=true -cp"
                    + " \"$VQVAE_CP\" org.vqvae.cli.VqvaeCommand \"$@\"\n");
            assertTrue(wrapper.toFile().setExecutable(true));
        }
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("reproduce").resolve(script).toString()));
        cmd.addAll(List.of(args));
        if (cmd.contains("--out") && cmd.contains("--data")) {
            // one libtorch thread: on a shared 2-core machine two threads spin against other processes
            // and ran the smoke 20x slower
            cmd.addAll(List.of("--threads", "1"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Path log = Files.createTempFile(work, "run-", ".log");
        pb.redirectOutput(log.toFile());
        pb.environment().put("VQVAE", wrapper.toString());
        pb.environment().put("VQVAE_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("VQVAE_CP", System.getProperty("java.class.path"));
        pb.environment().put("MALLOC_MMAP_THRESHOLD_", "4294967296");
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            throw new AssertionError("timed out: " + Files.readString(log));
        }
        return new Script(p.exitValue(), Files.readString(log), (System.nanoTime() - t0) / 1e9);
    }

    static JsonObject readJson(Path file) throws IOException {
        return JsonUtils.GSON.fromJson(Files.readString(file), JsonObject.class);
    }

    static void assertFinite(JsonObject measured, String... keys) {
        for (String k : keys) {
            assertTrue(measured.has(k), k + " missing from " + measured);
            double v = measured.get(k).getAsDouble();
            assertTrue(Double.isFinite(v), k + " = " + v);
        }
    }

    /** The first run with --stage, the whole run (the first stage skipped), then a rerun with every stage skipped. */
    static JsonObject runThrice(Path work, String script, String firstStage, List<String> stages, String... args)
            throws IOException, InterruptedException {
        Path run = work.resolve("run");
        List<String> withStage = new ArrayList<>(List.of(args));
        withStage.addAll(List.of("--out", run.toString(), "--smoke", "--stage", firstStage));
        Script first = script(work, script, withStage.toArray(String[]::new));
        assertEquals(0, first.code(), first.out());
        assertTrue(Files.isRegularFile(run.resolve(".stages/" + firstStage + ".done")), first.out());
        for (String s : stages.subList(1, stages.size())) {
            assertFalse(Files.exists(run.resolve(".stages/" + s + ".done")), s + " ran with --stage " + firstStage);
        }
        List<String> whole = new ArrayList<>(List.of(args));
        whole.addAll(List.of("--out", run.toString(), "--smoke"));
        Script all = script(work, script, whole.toArray(String[]::new));
        assertEquals(0, all.code(), all.out());
        assertTrue(all.out().contains("stage " + firstStage + ": done before"), all.out());
        for (String s : stages.subList(1, stages.size())) {
            assertTrue(all.out().contains("stage " + s + ": running"), s + ": " + all.out());
            assertTrue(Files.isRegularFile(run.resolve(".stages/" + s + ".done")), s);
        }
        System.out.printf("%s --smoke: %.0f s (every stage after %s)%n", script, all.seconds(), firstStage);

        Script again = script(work, script, whole.toArray(String[]::new));
        assertEquals(0, again.code(), again.out());
        for (String s : stages) {
            assertTrue(again.out().contains("stage " + s + ": done before"), s + ": " + again.out());
        }
        assertFalse(again.out().contains(": running"), again.out());
        assertTrue(again.seconds() < 10, "a finished run took " + again.seconds() + " s to rerun");

        assertTrue(Files.readString(run.resolve("RESULTS.md")).contains("## Beside the paper"));
        JsonObject results = readJson(run.resolve("results.json"));
        assertTrue(Files.isRegularFile(run.resolve(results.get("samples").getAsString())));
        for (String s : stages.subList(0, stages.size() - 1)) {
            assertTrue(results.getAsJsonObject("stage_seconds").has(s), s);
        }
        for (JsonElement e : results.getAsJsonArray("comparison")) {
            JsonObject f = e.getAsJsonObject();
            assertNotNull(f.get("source"), f.toString());
        }
        return results;
    }

    @Test
    void imagenetSmokeRunsEveryStageOnceAndResumes(@TempDir Path work) throws Exception {
        Path train = work.resolve("in");
        Path val = work.resolve("in-val");
        ImageNetLayout.write(train, 4, 16, 1);   // 64 images: 58 train, 6 held out by the folder's own split
        ImageNetLayout.write(val, 4, 2, 2);      // --val-data: these 8 are held out instead
        List<String> stages = List.of("prepare", "train", "extract-codes", "train-top-prior", "train-bottom-prior",
                "sample", "evaluate");
        JsonObject results = runThrice(work, "imagenet256/run.sh", "prepare", stages, "--data", train.toString(),
                "--val-data", val.toString());
        JsonObject m = results.getAsJsonObject("measured");
        assertFinite(m, "test_mse", "codebook_usage_top", "codebook_usage_bottom", "perplexity_top",
                "prior_bits_per_code_top", "prior_bits_per_code_bottom", "bits_per_dim", "bits_per_dim_uniform_prior");
        assertEquals(8, m.get("held_out_maps").getAsInt(), "the --val-data folder is the held-out split");
        double top = m.get("prior_bits_per_code_top").getAsDouble();
        assertTrue(top > 0 && top < 12, "bits per code of a 512-code map: " + top);
        JsonObject firstFigure = results.getAsJsonArray("comparison").get(0).getAsJsonObject();
        assertEquals("test_mse", firstFigure.get("key").getAsString());
        assertEquals(m.get("test_mse").getAsDouble(), firstFigure.get("measured").getAsDouble(), 0);

        Path run = work.resolve("run");
        Script other = script(work, "imagenet256/run.sh", "--data", train.toString(), "--out", run.toString());
        assertEquals(2, other.code());
        assertTrue(other.out().contains("started with other settings"), other.out());
    }

    /** Bad flags and missing data: one line and a non-zero exit, before anything runs. */
    @Test
    void badFlagsAndMissingDataFailInOneLine(@TempDir Path work) throws Exception {
        Path empty = Files.createDirectories(work.resolve("empty"));
        String[][] cases = {
            {"imagenet256/run.sh", "unknown flag '--bogus'", "--bogus"},
            {"imagenet256/run.sh", "--out RUN is required", "--data", empty.toString()},
            {"imagenet256/run.sh", "no such directory", "--data", work.resolve("nope").toString(), "--out", "x"},
            {"imagenet256/run.sh", "no class sub-folders", "--data", empty.toString(), "--out", work.resolve("r").toString()},
            {"imagenet256/run.sh", "the stages are", "--data", empty.toString(), "--out", "x", "--stage", "bake"},
            {"cifar10/run.sh", "no test_batch.bin", "--data", empty.toString(), "--out", work.resolve("c").toString()},
            {"cifar10/run.sh", "--val-data is not an option here", "--val-data", empty.toString()},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 2, c.length);
            Script s = script(work, c[0], args);
            assertEquals(2, s.code(), String.join(" ", c));
            assertEquals(1, s.out().trim().lines().count(), s.out());
            assertTrue(s.out().contains(c[1]), c[1] + " not in " + s.out());
        }
    }

    /** CIFAR-10's binary layout: records of a label byte and 3x32x32 pixels (red, green, blue planes). */
    static void writeCifarBatches(Path dir, int perBatch, int test) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(3);
        for (int b = 1; b <= 6; b++) {
            int n = b == 6 ? test : perBatch;
            byte[] bytes = new byte[n * 3073];
            for (int i = 0; i < n; i++) {
                int label = i % 10;
                int o = i * 3073;
                bytes[o] = (byte) label;
                int cx = r.nextInt(32);
                int cy = r.nextInt(32);
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 32; y++) {
                        for (int x = 0; x < 32; x++) {
                            boolean blob = (x - cx) * (x - cx) + (y - cy) * (y - cy) < 40;
                            int v = blob ? 255 - 60 * c : (label * 25 + 4 * (c == 0 ? x : c == 1 ? y : x + y)) % 256;
                            bytes[o + 1 + c * 1024 + y * 32 + x] = (byte) v;
                        }
                    }
                }
            }
            Files.write(dir.resolve(b == 6 ? "test_batch.bin" : "data_batch_" + b + ".bin"), bytes);
        }
    }

    @Test
    void cifar10SmokeRunsEveryStageOnceAndResumes(@TempDir Path work) throws Exception {
        Path data = work.resolve("cifar-10-batches-bin");
        writeCifarBatches(data, 16, 20);   // 80 training and 20 test images
        List<String> stages = List.of("check-data", "train", "extract-codes", "train-prior", "sample", "evaluate");
        JsonObject results = runThrice(work, "cifar10/run.sh", "check-data", stages, "--data", data.toString());
        JsonObject m = results.getAsJsonObject("measured");
        assertFinite(m, "test_mse", "codebook_usage_codes", "perplexity_codes", "prior_bits_per_code_codes",
                "bits_per_dim", "bits_per_dim_uniform_prior");
        assertEquals(20, m.get("held_out_maps").getAsInt());
        // 8x8 codes of K = 512 under a uniform prior: 64 * 9 bits over 3072 dimensions, plus the reconstruction term
        double uniform = m.get("bits_per_dim_uniform_prior").getAsDouble();
        double reconstruction = 0.5 * Math.log(2 * Math.PI * Math.E * m.get("test_mse").getAsDouble()) / Math.log(2)
                + Math.log(255) / Math.log(2);
        assertEquals(64 * 9.0 / 3072 + reconstruction, uniform, 1e-9);
        // the prior's figure equals what train-prior reported on the same held-out codes
        JsonObject prior = readJson(work.resolve("run/prior/summary.json"));
        assertEquals(prior.get("test_bits_per_code").getAsDouble(), m.get("prior_bits_per_code_codes").getAsDouble(), 1e-5);
        assertEquals(prior.get("bits_per_dim").getAsDouble(), m.get("bits_per_dim").getAsDouble(), 1e-5);
    }
}
