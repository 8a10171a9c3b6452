package org.vqvae.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vqvae.cli.CliTest.assertOneLineError;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the reproduction scripts need from the command line: {@code train-prior --resume},
 * {@code vqvae evaluate} and {@code sample --classes}, on a tiny one-level model's codes.
 */
class PriorResumeCliTest {

    @TempDir static Path work;
    static Path model;
    static Path codes;

    @BeforeAll
    static void modelAndCodes() throws IOException {
        Path data = work.resolve("data");
        CliTest.writeTinyDataset(data);
        model = work.resolve("vqvae");
        CliTest.Run r = CliTest.run("train", "--data", "mnist:" + data, "--steps", "3", "--batch", "16", "--hidden", "8",
                "--res-channels", "4", "--res-blocks", "1", "--codes", "16", "--code-dim", "4", "--threads", "1",
                "--out", model.toString());
        assertEquals(0, r.code(), r.err());
        codes = work.resolve("codes");
        r = CliTest.run("extract-codes", "--model", model.toString(), "--data", "mnist:" + data, "--threads", "1",
                "--out", codes.toString());
        assertEquals(0, r.code(), r.err());
    }

    static CliTest.Run prior(Path out, String... extra) {
        String[] base = {"train-prior", "--codes", codes.toString(), "--channels", "8", "--layers", "2", "--batch", "8",
            "--eval-every", "2", "--threads", "1", "--seed", "3", "--out", out.toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return FolderCliTest.run(args);
    }

    static JsonObject json(Path file) throws IOException {
        return JsonUtils.GSON.fromJson(Files.readString(file), JsonObject.class);
    }

    @Test
    void resumedPriorEndsWhereTheUninterruptedRunEnds() throws IOException {
        Path whole = work.resolve("whole");
        assertEquals(0, prior(whole, "--steps", "6").code());
        Path split = work.resolve("split");
        assertEquals(0, prior(split, "--steps", "2").code());
        CliTest.Run resumed = prior(split, "--steps", "6", "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming " + split.resolve("checkpoint-000000002") + " at step 2"), resumed.out());
        // same parameters, Adam moments and batches: the same held-out figure and the same weights
        assertEquals(json(whole.resolve("summary.json")).get("test_bits_per_code").getAsDouble(),
                json(split.resolve("summary.json")).get("test_bits_per_code").getAsDouble(), 0);
        assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint/model.params")),
                Files.readAllBytes(split.resolve("checkpoint/model.params")));
        assertEquals(3, Files.readAllLines(split.resolve("metrics.jsonl")).size(), "steps 2, 4 and 6");

        // resuming a finished run trains nothing and still reports the held-out figure
        CliTest.Run again = prior(split, "--steps", "6", "--resume");
        assertEquals(0, again.code(), again.err());
        assertEquals(json(whole.resolve("summary.json")).get("test_bits_per_code").getAsDouble(),
                json(split.resolve("summary.json")).get("test_bits_per_code").getAsDouble(), 1e-6);

        assertOneLineError(prior(split, "--steps", "6", "--resume", "--kernel", "5"), 1, "--resume");
    }

    @Test
    void evaluateMeasuresTheHeldOutCodesAndPriors() throws IOException {
        Path p = work.resolve("eval-prior");
        assertEquals(0, prior(p, "--steps", "4").code());
        Path paper = work.resolve("paper.json");
        Files.writeString(paper, "{\"figures\": [{\"key\": \"bits_per_dim\", \"figure\": \"bits/dim\", \"value\": 4.67,"
                + " \"source\": \"a paper, section 4.1\"}, {\"key\": \"nothing_measured\", \"figure\": \"x\","
                + " \"value\": 1}]}");
        Path out = work.resolve("results");
        CliTest.Run r = FolderCliTest.run("evaluate", "--codes", codes.toString(), "--prior", p.toString(), "--paper",
                paper.toString(), "--threads", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonObject results = json(out.resolve("results.json"));
        JsonObject m = results.getAsJsonObject("measured");
        JsonObject s = json(p.resolve("summary.json"));
        assertEquals(s.get("test_bits_per_code").getAsDouble(), m.get("prior_bits_per_code_codes").getAsDouble(), 1e-5);
        assertEquals(s.get("bits_per_dim").getAsDouble(), m.get("bits_per_dim").getAsDouble(), 1e-5);
        double usage = m.get("codebook_usage_codes").getAsDouble();
        assertTrue(usage > 0 && usage <= 1, "usage " + usage);
        assertTrue(m.get("perplexity_codes").getAsDouble() >= 1);
        assertEquals(m.get("bits_per_dim").getAsDouble(),
                results.getAsJsonArray("comparison").get(0).getAsJsonObject().get("measured").getAsDouble(), 0);
        assertTrue(results.getAsJsonArray("comparison").get(1).getAsJsonObject().get("measured").isJsonNull());
        String md = Files.readString(out.resolve("RESULTS.md"));
        assertTrue(md.contains("| bits/dim |") && md.contains("| 4.67 |") && md.contains("not measured"), md);

        assertOneLineError(CliTest.run("evaluate", "--codes", codes.toString(), "--top-prior", p.toString(), "--out",
                out.toString()), 1, "give --prior");
        assertOneLineError(CliTest.run("evaluate", "--codes", codes.toString(), "--prior", p.toString(), "--samples",
                "missing.png", "--out", out.toString()), 1, "missing.png");
    }

    @Test
    void sampleGivesARowPerListedClass() throws IOException {
        Path p = work.resolve("sample-prior");
        assertEquals(0, prior(p, "--steps", "2").code());
        Path png = work.resolve("two-rows.png");
        CliTest.Run r = FolderCliTest.run("sample", "--model", model.toString(), "--prior", p.toString(), "--classes",
                "1,3", "-n", "6", "--threads", "1", "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 per row"), r.out());
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertTrue(image.getHeight() < 3 * 8 + 8 && image.getHeight() >= 2 * 8, "two rows of 8x8: " + image.getHeight());
        assertOneLineError(CliTest.run("sample", "--model", model.toString(), "--prior", p.toString(), "--classes", "1",
                "--class", "2", "--out", png.toString()), 1, "not both");
        assertOneLineError(CliTest.run("sample", "--model", model.toString(), "--prior", p.toString(), "--classes",
                "1,99", "--out", png.toString()), 1, "class 99 outside");
    }
}
