package org.vqvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.io.MappedNpy;
import org.vqvae.core.io.Npy;
import org.vqvae.core.io.NpyType;

import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** The command line end to end on a tiny dataset, and every bad input it must refuse in one line. */
class CliTest {

    @TempDir static Path work;
    static Path data;
    static Path model;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = VqvaeCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static void assertOneLineError(Run r, int code, String fragment) {
        assertEquals(code, r.code(), r.err());
        String err = r.err().trim();
        assertFalse(err.contains("\n"), "more than one line: " + err);
        assertFalse(err.contains("\tat "), "stack trace: " + err);
        assertTrue(err.contains(fragment), "'" + fragment + "' not in: " + err);
    }

    static byte[] idx(int magic, int[] dims, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(payload).array();
    }

    /** 64 random-ish 8x8 images in MNIST layout. */
    static void writeTinyDataset(Path dir) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(5);
        byte[] px = new byte[64 * 64];
        r.nextBytes(px);
        byte[] labels = new byte[64];
        for (int i = 0; i < 64; i++) {
            labels[i] = (byte) (i % 10);
        }
        for (String split : new String[] {"train", "t10k"}) {
            Files.write(dir.resolve(split + "-images-idx3-ubyte"), idx(0x803, new int[] {64, 8, 8}, px));
            Files.write(dir.resolve(split + "-labels-idx1-ubyte"), idx(0x801, new int[] {64}, labels));
        }
    }

    @BeforeAll
    static void trainTinyModel() throws IOException {
        data = work.resolve("data");
        writeTinyDataset(data);
        model = work.resolve("run");
        Run r = run("train", "--data", "mnist:" + data, "--steps", "3", "--batch", "16", "--hidden", "8",
                "--res-channels", "4", "--res-blocks", "1", "--codes", "16", "--code-dim", "4", "--threads", "1",
                "--out", model.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void trainWritesItsFiles() {
        for (String f : new String[] {"checkpoint/config.json", "checkpoint/model.params", "checkpoint/optimizer.ndlist",
                "metrics.jsonl", "summary.json", "reconstructions.png"}) {
            assertTrue(Files.isRegularFile(model.resolve(f)), f);
        }
    }

    @Test
    void encodeThenDecodeThenReconstruct() throws IOException {
        Path codes = work.resolve("codes.npy");
        assertEquals(0, run("encode", "--model", model.toString(), "--data", "mnist:" + data, "--out", codes.toString()).code());
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(new Shape(64, 2, 2), Npy.read(m, codes).singletonOrThrow().getShape());
        }
        Path grid = work.resolve("decoded.png");
        assertEquals(0, run("decode", "--model", model.toString(), "--codes", codes.toString(), "--out", grid.toString()).code());
        assertTrue(Files.size(grid) > 100);
        Path recon = work.resolve("recon.png");
        assertEquals(0, run("reconstruct", "--model", model.toString(), "--data", "mnist:" + data, "--out", recon.toString()).code());
        assertTrue(Files.size(recon) > 100);
    }

    @Test
    void priorPipelineExtractsTrainsAndSamples() throws IOException {
        Path codes = work.resolve("codes");
        assertEquals(0, run("extract-codes", "--model", model.toString(), "--data", "mnist:" + data, "--out",
                codes.toString()).code());
        for (String f : new String[] {"train_codes.npy", "train_labels.npy", "test_codes.npy", "test_labels.npy", "meta.json"}) {
            assertTrue(Files.isRegularFile(codes.resolve(f)), f);
        }
        Path prior = work.resolve("prior");
        Run t = run("train-prior", "--codes", codes.toString(), "--steps", "4", "--batch", "8", "--channels", "8",
                "--layers", "2", "--out", prior.toString(), "--threads", "1");
        assertEquals(0, t.code(), t.err());
        String summary = Files.readString(prior.resolve("summary.json"));
        assertTrue(summary.contains("test_bits_per_code") && summary.contains("bits_per_dim"), summary);
        Path samples = work.resolve("samples.png");
        assertEquals(0, run("sample", "--model", model.toString(), "--prior", prior.toString(), "-n", "20", "--out",
                samples.toString()).code());
        assertTrue(Files.size(samples) > 100);
        assertOneLineError(run("sample", "--model", model.toString(), "--prior", prior.toString(), "--class", "10",
                "--out", work.resolve("s.png").toString()), 1, "class 10 is outside the prior's [0, 10)");
        assertOneLineError(run("sample", "--model", model.toString(), "--prior", model.toString(),
                "--out", work.resolve("s.png").toString()), 1, "does not hold a PixelCNN or PixelSNAIL prior");
        // a prior trained for another K
        Path other = work.resolve("other-prior");
        Files.createDirectories(other.resolve("checkpoint"));
        Files.writeString(other.resolve("checkpoint/config.json"),
                Files.readString(prior.resolve("checkpoint/config.json")).replace("\"numCodes\": 16", "\"numCodes\": 32"));
        Files.copy(prior.resolve("checkpoint/model.params"), other.resolve("checkpoint/model.params"));
        assertOneLineError(run("sample", "--model", model.toString(), "--prior", other.toString(),
                "--out", work.resolve("s.png").toString()), 1, "does not fit");
        // codes out of range for the prior
        Files.copy(codes, work.resolve("badcodes"));
        Path bad = work.resolve("badcodes");
        Files.copy(codes.resolve("meta.json"), bad.resolve("meta.json"));
        Files.copy(codes.resolve("test_codes.npy"), bad.resolve("test_codes.npy"));
        Files.copy(codes.resolve("test_labels.npy"), bad.resolve("test_labels.npy"));
        Files.copy(codes.resolve("train_labels.npy"), bad.resolve("train_labels.npy"));
        try (NDManager m = NDManager.newBaseManager()) {
            Npy.write(bad.resolve("train_codes.npy"), m.create(new long[] {0, 1, 2, 99}, new Shape(1, 2, 2)));
        }
        assertOneLineError(run("train-prior", "--codes", bad.toString(), "--steps", "1", "--out",
                work.resolve("p2").toString()), 1, "labels");
        assertOneLineError(run("train-prior", "--codes", work.toString(), "--out", work.resolve("p3").toString()), 1,
                "not a directory written by extract-codes");
        // extract-codes writes uint16 codes; the int64 files it once wrote still train
        assertEquals(NpyType.U2, MappedNpy.open(codes.resolve("train_codes.npy")).type());
        Path old = work.resolve("oldcodes");
        Files.createDirectories(old);
        Files.copy(codes.resolve("meta.json"), old.resolve("meta.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            for (String f : new String[] {"train_codes.npy", "train_labels.npy", "test_codes.npy", "test_labels.npy"}) {
                MappedNpy npy = MappedNpy.open(codes.resolve(f));
                Npy.write(old.resolve(f), m.create(npy.readAll(), new Shape(npy.shape())));
            }
            Run o = run("train-prior", "--codes", old.toString(), "--steps", "2", "--batch", "8", "--channels", "8",
                    "--layers", "2", "--out", work.resolve("p4").toString(), "--threads", "1");
            assertEquals(0, o.code(), o.err());
            // a code out of range in a (memory-mapped) file: refused when its batch is gathered
            MappedNpy test = MappedNpy.open(codes.resolve("test_codes.npy"));
            long[] c = test.readAll();
            c[c.length - 1] = 99;
            Npy.write(old.resolve("test_codes.npy"), m.create(c, new Shape(test.shape())));
        }
        assertOneLineError(run("train-prior", "--codes", old.toString(), "--steps", "1", "--channels", "8", "--layers",
                "2", "--out", work.resolve("p5").toString()), 1, "holds code 99, outside [0, 16)");
    }

    @Test
    void vqvae2OnCifarFiles() throws IOException {
        Path cifar = work.resolve("cifar");
        Files.createDirectories(cifar);
        Random r = new Random(9);
        for (String f : new String[] {"data_batch_1.bin", "test_batch.bin"}) {
            byte[] b = new byte[40 * 3073];
            r.nextBytes(b);
            for (int i = 0; i < 40; i++) {
                b[i * 3073] = (byte) (i % 10);
            }
            Files.write(cifar.resolve(f), b);
        }
        Path run2 = work.resolve("run2");
        Run t = run("train", "--model", "vqvae2", "--data", "cifar10:" + cifar, "--steps", "2", "--batch", "8",
                "--hidden", "8", "--res-channels", "4", "--res-blocks", "1", "--codes", "16", "--code-dim", "4",
                "--threads", "1", "--out", run2.toString());
        assertEquals(0, t.code(), t.err());
        String summary = Files.readString(run2.resolve("summary.json"));
        assertTrue(summary.contains("perplexity_top") && summary.contains("codebook_usage_bottom"), summary);
        Path npz = work.resolve("codes2.npz");
        assertEquals(0, run("encode", "--model", run2.toString(), "--data", "cifar10:" + cifar, "--out", npz.toString()).code());
        try (NDManager m = NDManager.newBaseManager()) {
            var arrays = Npy.read(m, npz);
            assertEquals(new Shape(40, 8, 8), arrays.get("bottom").getShape());
            assertEquals(new Shape(40, 4, 4), arrays.get("top").getShape());
            Path onlyTop = work.resolve("top-only.npz");
            Npy.writeNpz(onlyTop, java.util.List.of("top"), java.util.List.of(arrays.get("top")));
            assertOneLineError(run("decode", "--model", run2.toString(), "--codes", onlyTop.toString(), "--out",
                    work.resolve("n.png").toString()), 1, "has no 'bottom' array");
        }
        assertEquals(0, run("decode", "--model", run2.toString(), "--codes", npz.toString(), "--out",
                work.resolve("d2.png").toString()).code());
        assertEquals(0, run("reconstruct", "--model", run2.toString(), "--data", "cifar10:" + cifar, "--levels", "top",
                "--out", work.resolve("r2.png").toString()).code());
        assertOneLineError(run("reconstruct", "--model", run2.toString(), "--data", "cifar10:" + cifar, "--levels",
                "middle", "--out", work.resolve("r3.png").toString()), 1, "unknown level 'middle'");
        assertOneLineError(run("encode", "--model", run2.toString(), "--data", "cifar10:" + cifar, "--out",
                work.resolve("c.npy").toString()), 1, "write them to a .npz file");
        assertOneLineError(run("reconstruct", "--model", model.toString(), "--data", "mnist:" + data, "--levels", "top",
                "--out", work.resolve("r4.png").toString()), 1, "--levels needs a VQ-VAE-2");
        hierarchicalPipeline(run2, cifar);
    }

    /** extract-codes on a VQ-VAE-2, a PixelSNAIL prior per level, then top-down sampling to a PNG. */
    private static void hierarchicalPipeline(Path run2, Path cifar) throws IOException {
        Path codes = work.resolve("codes2");
        Run x = run("extract-codes", "--model", run2.toString(), "--data", "cifar10:" + cifar, "--out", codes.toString(),
                "--threads", "1");
        assertEquals(0, x.code(), x.err());
        for (String f : new String[] {"train_top_codes.npy", "train_bottom_codes.npy", "test_top_codes.npy",
            "test_bottom_codes.npy", "train_labels.npy", "test_labels.npy", "meta.json"}) {
            assertTrue(Files.isRegularFile(codes.resolve(f)), f);
        }
        assertOneLineError(run("train-prior", "--codes", codes.toString(), "--out", work.resolve("px").toString()), 1,
                "pass --level with one of them");
        Path top = work.resolve("prior-top");
        Path bottom = work.resolve("prior-bottom");
        Run t = run("train-prior", "--codes", codes.toString(), "--level", "top", "--steps", "3", "--batch", "8",
                "--channels", "8", "--blocks", "1", "--out", top.toString(), "--threads", "1");
        assertEquals(0, t.code(), t.err());
        String topConfig = Files.readString(top.resolve("checkpoint/config.json"));
        assertTrue(topConfig.contains("\"arch\": \"pixelsnail\"") && topConfig.contains("\"heads\": 2")
                && topConfig.contains("\"conditionCodes\": 0"), topConfig);
        t = run("train-prior", "--codes", codes.toString(), "--level", "bottom", "--steps", "3", "--batch", "8",
                "--channels", "8", "--blocks", "1", "--out", bottom.toString(), "--threads", "1");
        assertEquals(0, t.code(), t.err());
        String bottomConfig = Files.readString(bottom.resolve("checkpoint/config.json"));
        assertTrue(bottomConfig.contains("\"heads\": 0") && bottomConfig.contains("\"conditionCodes\": 16")
                && bottomConfig.contains("\"conditionHeight\": 4"), bottomConfig);
        String summary = Files.readString(bottom.resolve("summary.json"));
        assertTrue(summary.contains("test_bits_per_code") && summary.contains("\"conditioned_on_level_above\": true"),
                summary);
        assertOneLineError(run("train-prior", "--codes", codes.toString(), "--level", "bottom", "--arch", "pixelcnn",
                "--out", work.resolve("px").toString()), 1, "use --arch pixelsnail");
        Path samples = work.resolve("samples2.png");
        Run s = run("sample", "--model", run2.toString(), "--top-prior", top.toString(), "--bottom-prior",
                bottom.toString(), "-n", "20", "--level-temperature", "top=0.9", "--level-top-k", "bottom=4", "--out",
                samples.toString(), "--threads", "1");
        assertEquals(0, s.code(), s.err());
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(samples.toFile());
        assertTrue(png.getHeight() >= 10 * 32 && png.getWidth() < png.getHeight(),
                "10 rows of 2 (one row per class): " + png.getWidth() + "x" + png.getHeight());
        assertOneLineError(run("sample", "--model", run2.toString(), "--prior", top.toString(), "--out",
                work.resolve("s2.png").toString()), 1, "instead of --prior");
        assertOneLineError(run("sample", "--model", run2.toString(), "--top-prior", top.toString(), "--out",
                work.resolve("s2.png").toString()), 1, "--bottom-prior is missing");
        assertOneLineError(run("sample", "--model", run2.toString(), "--top-prior", bottom.toString(), "--bottom-prior",
                top.toString(), "--out", work.resolve("s2.png").toString()), 1, "not conditioned on the level above");
        assertOneLineError(run("sample", "--model", run2.toString(), "--top-prior", top.toString(), "--bottom-prior",
                bottom.toString(), "--level-temperature", "middle=2", "--out", work.resolve("s2.png").toString()), 1,
                "names level 'middle'");
    }

    @Test
    void unknownFlagsAndBadValues() {
        assertOneLineError(run("train", "--bogus"), 2, "Unknown option: '--bogus'");
        assertOneLineError(run("train", "--batch", "many"), 2, "Invalid value for option '--batch'");
        assertOneLineError(run("train", "--steps", "5", "--epochs", "1"), 2, "mutually exclusive");
        assertOneLineError(run("frobnicate"), 2, "Unmatched argument");
        assertOneLineError(run("train", "--data", "mnist:" + data, "--steps", "0", "--out", work.resolve("x").toString()),
                1, "steps must be >= 1");
        assertOneLineError(run("train", "--data", "mnist:" + data, "--downsample", "3", "--out", work.resolve("x").toString()),
                1, "downsample must be 2, 4 or 8");
        assertOneLineError(run("train", "--data", "imagenet:/x"), 1, "unknown data 'imagenet:/x'");
    }

    @Test
    void missingAndCorruptData() throws IOException {
        assertOneLineError(run("train", "--data", "mnist:" + work.resolve("nowhere")), 1, "data directory does not exist");
        Path bad = work.resolve("bad");
        writeTinyDataset(bad);
        byte[] b = Files.readAllBytes(bad.resolve("train-images-idx3-ubyte"));
        Files.write(bad.resolve("train-images-idx3-ubyte"), java.util.Arrays.copyOf(b, b.length - 100));
        assertOneLineError(run("train", "--data", "mnist:" + bad, "--out", work.resolve("y").toString()), 1, "is truncated");
        b[3] = 0x01;
        Files.write(bad.resolve("train-images-idx3-ubyte"), b);
        assertOneLineError(run("train", "--data", "mnist:" + bad, "--out", work.resolve("y").toString()), 1,
                "is not an IDX file");
    }

    @Test
    void badCodesLeaveNoOutput() throws IOException {
        Path grid = work.resolve("never.png");
        try (NDManager m = NDManager.newBaseManager()) {
            Path outOfRange = work.resolve("range.npy");
            Npy.write(outOfRange, m.create(new long[] {0, 1, 2, 16}, new Shape(1, 2, 2)));
            assertOneLineError(run("decode", "--model", model.toString(), "--codes", outOfRange.toString(),
                    "--out", grid.toString()), 1, "code 16 is outside [0, 16)");
            Path shape = work.resolve("shape.npy");
            Npy.write(shape, m.create(new long[] {0, 1, 2}, new Shape(1, 3)));
            assertOneLineError(run("decode", "--model", model.toString(), "--codes", shape.toString(),
                    "--out", grid.toString()), 1, "this model decodes [N, 2, 2] code maps");
            Path floats = work.resolve("float.npy");
            Npy.write(floats, m.create(new float[] {0, 1, 2, 3}, new Shape(1, 2, 2)));
            assertOneLineError(run("decode", "--model", model.toString(), "--codes", floats.toString(),
                    "--out", grid.toString()), 1, "holds dtype <f4: expected little-endian integers");
        }
        Path junk = work.resolve("junk.npy");
        Files.writeString(junk, "not numpy");
        assertOneLineError(run("decode", "--model", model.toString(), "--codes", junk.toString(), "--out",
                grid.toString()), 1, "junk.npy");
        assertFalse(Files.exists(grid));
        try (var s = Files.list(work)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file left behind");
        }
    }

    @Test
    void mismatchedCheckpoints() throws IOException {
        assertOneLineError(run("decode", "--model", work.resolve("nomodel").toString(), "--codes", "x.npy", "--out",
                "y.png"), 1, "no model checkpoint");
        assertOneLineError(run("train", "--data", "mnist:" + data, "--resume", "--codes", "32", "--out", model.toString()),
                1, "was trained with other model flags");
        Path tampered = work.resolve("tampered");
        Files.createDirectories(tampered.resolve("checkpoint"));
        String config = Files.readString(model.resolve("checkpoint/config.json"));
        Files.writeString(tampered.resolve("checkpoint/config.json"), config.replace("\"numCodes\": 16", "\"numCodes\": 32"));
        Files.copy(model.resolve("checkpoint/model.params"), tampered.resolve("checkpoint/model.params"));
        assertOneLineError(run("encode", "--model", tampered.toString(), "--data", "mnist:" + data, "--out",
                work.resolve("t.npy").toString()), 1, "does not fit the model");
        assertOneLineError(run("encode", "--model", model.toString(), "--out", work.resolve("t.npy").toString()), 1,
                "holds 1x28x28 images but the model was trained on 1x8x8");
    }
}
