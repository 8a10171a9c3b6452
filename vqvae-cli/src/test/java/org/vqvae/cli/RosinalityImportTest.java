package org.vqvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.io.Npy;
import org.vqvae.core.io.torch.StateDictLoaders;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code vqvae import} and {@code export} against PyTorch: a checkpoint that PyTorch writes from a
 * module with rosinality's names ({@code src/test/python/rosinality_vqvae2.py}) imports without
 * Python and gives PyTorch's codes and decoded images; the safetensors export loads into that
 * module with {@code load_state_dict(strict=True)}, every tensor equal; hostile and foreign files
 * are refused in one line with nothing written.
 */
class RosinalityImportTest {

    static final String PYTHON = "/usr/bin/python3";
    static final Path SCRIPT = Path.of("src/test/python/rosinality_vqvae2.py");
    /** Images: npy data holds out every tenth, so the train split is the first nine. */
    static final int IMAGES = 10;
    static final int TRAIN = 9;

    @TempDir static Path work;
    /** A tiny model (channel 16, one residual block, K 32 of D 8) with the hostile and foreign files. */
    static Path torch;
    /** rosinality's default sizes (channel 128, 2 residual blocks of 32, K 512 of D 64) on 32x32 images. */
    static Path paper;

    @BeforeAll
    static void pytorchWritesACheckpoint() throws Exception {
        boolean ok;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            ok = false;
        }
        if (!ok) {
            String why = PYTHON + " cannot import torch and numpy (apt-get install python3-torch)";
            if (System.getenv("CI") != null) {
                fail("CI installs PyTorch for the import checks, yet " + why);
            }
            Assumptions.abort("rosinality import checks skipped: " + why);
        }
        torch = work.resolve("torch");
        python("make", torch.toString(), "--size", "16", "--n", String.valueOf(IMAGES));
        paper = work.resolve("paper");
        python("make", paper.toString(), "--size", "32", "--n", String.valueOf(IMAGES), "--channel", "128",
                "--res-blocks", "2", "--res-channels", "32", "--embed-dim", "64", "--n-embed", "512", "--seed", "1");
    }

    static String python(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(PYTHON, SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    static Path imported(String name, String file) {
        return imported(name, torch.resolve(file), 16);
    }

    static Path imported(String name, Path file, int size) {
        Path out = work.resolve(name);
        CliTest.Run r = CliTest.run("import", "--format", "rosinality-vqvae2", "--checkpoint",
                file.toString(), "--out", out.toString(), "--image-size", String.valueOf(size));
        assertEquals(0, r.code(), r.err());
        return out;
    }

    @Test
    void codesAndDecodedImagesMatchPyTorch() throws Exception {
        matchesPyTorch(torch, 16);
    }

    @Test
    void defaultSizesMatchPyTorch() throws Exception {
        matchesPyTorch(paper, 32);
    }

    private static void matchesPyTorch(Path torch, int size) throws Exception {
        Path model = imported(torch.getFileName() + "-model", torch.resolve("vqvae.pt"), size);
        Path codes = work.resolve(torch.getFileName() + "-codes.npz");
        CliTest.Run enc = CliTest.run("encode", "--model", model.toString(), "--data", "npy:" + torch.resolve("images.npy"),
                "--split", "train", "--out", codes.toString());
        assertEquals(0, enc.code(), enc.err());
        Path decoded = work.resolve(torch.getFileName() + "-decoded.npy");
        CliTest.Run dec = CliTest.run("decode", "--model", model.toString(), "--codes", torch.resolve("codes.npz").toString(),
                "--out", decoded.toString(), "--limit", String.valueOf(IMAGES));
        assertEquals(0, dec.code(), dec.err());
        try (NDManager m = NDManager.newBaseManager()) {
            NDList ours = Npy.read(m, codes);
            long[][] theirs = {Npy.read(m, torch.resolve("codes_b.npy")).head().toLongArray(),
                Npy.read(m, torch.resolve("codes_t.npy")).head().toLongArray()};
            for (int l = 0; l < 2; l++) {
                long[] a = ours.get(l).toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
                int perImage = theirs[l].length / IMAGES;
                assertEquals(TRAIN * perImage, a.length);
                int same = 0;
                for (int i = 0; i < a.length; i++) {
                    same += a[i] == theirs[l][i] ? 1 : 0;
                }
                System.out.println("rosinality import (" + torch.getFileName() + "): level " + l + " codes agree with PyTorch's: " + same + " of "
                        + a.length);
                // a near-tie may flip a code now and then
                assertTrue(same >= a.length - Math.max(1, a.length / 100), "level " + l + ": " + same + " of "
                        + a.length + " codes agree with PyTorch's");
            }
            // decoding PyTorch's codes: the same images to float rounding ([-1, 1] there, [-0.5, 0.5] here)
            NDArray mine = Npy.read(m, decoded).head().mul(2);
            NDArray ref = Npy.read(m, torch.resolve("decoded.npy")).head();
            assertEquals(ref.getShape(), mine.getShape());
            float worst = mine.sub(ref).abs().max().getFloat();
            System.out.println("rosinality import (" + torch.getFileName() + "): decoded images max abs difference from PyTorch's: " + worst);
            assertTrue(worst < 1e-4, "decoded images differ from PyTorch's by " + worst);
        }
        CliTest.Run rec = CliTest.run("reconstruct", "--model", model.toString(), "--data",
                "npy:" + torch.resolve("images.npy"), "--out", work.resolve(torch.getFileName() + "-rec.png").toString());
        assertEquals(0, rec.code(), rec.err());
        Path extracted = work.resolve(torch.getFileName() + "-codes");
        CliTest.Run ext = CliTest.run("extract-codes", "--model", model.toString(), "--data",
                "npy:" + torch.resolve("images.npy"), "--out", extracted.toString());
        assertEquals(0, ext.code(), ext.err());
    }

    @Test
    void priorsTrainOnImportedCodesAndSampleThroughIt() throws Exception {
        Path model = imported("sampled", "vqvae.pt");
        Path codes = work.resolve("sampled-codes");
        assertEquals(0, CliTest.run("extract-codes", "--model", model.toString(), "--data",
                "npy:" + torch.resolve("images.npy"), "--out", codes.toString(), "--threads", "1").code());
        Path[] priors = {work.resolve("prior-top"), work.resolve("prior-bottom")};
        String[] levels = {"top", "bottom"};
        for (int i = 0; i < 2; i++) {
            CliTest.Run t = CliTest.run("train-prior", "--codes", codes.toString(), "--level", levels[i], "--steps", "2",
                    "--batch", "4", "--channels", "8", "--blocks", "1", "--out", priors[i].toString(), "--threads", "1");
            assertEquals(0, t.code(), t.err());
        }
        Path samples = work.resolve("sampled.png");
        CliTest.Run s = CliTest.run("sample", "--model", model.toString(), "--top-prior", priors[0].toString(),
                "--bottom-prior", priors[1].toString(), "-n", "2", "--class", "0", "--out", samples.toString(),
                "--threads", "1");
        assertEquals(0, s.code(), s.err());
        assertTrue(Files.size(samples) > 0);
    }

    @Test
    void halfPrecisionCheckpointImports() throws Exception {
        Path model = imported("half", "vqvae_half.pt");
        assertTrue(Files.isRegularFile(model.resolve("checkpoint").resolve("config.json")));
        assertTrue(Files.readString(model.resolve("checkpoint").resolve("config.json")).contains("rosinality-vqvae2"));
    }

    @Test
    void safetensorsLoadIntoPyTorchAndBack() throws Exception {
        Path model = imported("exported", "vqvae.pt");
        Path st = work.resolve("vqvae.safetensors");
        CliTest.Run exp = CliTest.run("export", "--format", "safetensors", "--model", model.toString(), "--out",
                st.toString());
        assertEquals(0, exp.code(), exp.err());
        // PyTorch: load_state_dict(strict=True), every tensor equal, the source's order
        String report = python("check-safetensors", st.toString(), torch.resolve("vqvae.pt").toString());
        assertTrue(report.contains("\"max_abs_diff\": 0.0"), report);
        Path back = work.resolve("from-safetensors");
        CliTest.Run imp = CliTest.run("import", "--format", "safetensors", "--checkpoint", st.toString(), "--out",
                back.toString());
        assertEquals(0, imp.code(), imp.err());
        Path again = work.resolve("again.safetensors");
        assertEquals(0, CliTest.run("export", "--model", back.toString(), "--out", again.toString()).code());
        assertEquals(-1L, Files.mismatch(st, again));
    }

    @Test
    void hostileAndForeignFilesAreRefusedWithNothingWritten() throws Exception {
        refused("rosinality-vqvae2", "hostile.pt", "posix.system");
        assertFalse(Files.exists(torch.resolve("PWNED")), "the pickle's command ran");
        refused("rosinality-vqvae2", "whole_module.pt", "refused: the pickle references ");
        refused("rosinality-vqvae2", "missing_key.pt", "no tensor dec.blocks.0.bias");
        refused("rosinality-vqvae2", "extra_key.pt", "unexpected tensor dec.blocks.9.weight");
        refused("rosinality-vqvae2", "wrong_shape.pt", "upsample_t.weight is [8, 8, 3, 3]");
        refused("rosinality-vqvae2", "other_arch.pt", "no tensor enc_b.blocks.0.weight");
        Path cut = work.resolve("cut.pt");
        byte[] all = Files.readAllBytes(torch.resolve("vqvae.pt"));
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 100));
        refused("rosinality-vqvae2", cut.toString(), "not a zip archive");
        refused("rosinality-vqvae2", "images.npy", "not a zip archive");
        refused("safetensors", "vqvae.pt", "not a safetensors file");
        if (StateDictLoaders.find("rosinality-pixelsnail-top").isEmpty()) {
            refused("rosinality-pixelsnail-top", "vqvae.pt", "--format rosinality-pixelsnail-top is not supported yet");
        }
        refused("keras", "vqvae.pt", "--format must be one of");
    }

    private static void refused(String format, String file, String words) throws IOException {
        Path out = work.resolve("refused");
        Path in = file.startsWith("/") ? Path.of(file) : torch.resolve(file);
        CliTest.Run r = CliTest.run("import", "--format", format, "--checkpoint", in.toString(), "--out",
                out.toString(), "--image-size", "16");
        System.out.println("rosinality import: " + r.err().trim());
        CliTest.assertOneLineError(r, 1, words);
        assertFalse(Files.exists(out), "an output was left for " + file);
        try (var s = Files.list(work)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".import-")), "a temporary was left");
        }
    }
}
