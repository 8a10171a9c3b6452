package org.vqvae.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vqvae.cli.CliTest.assertOneLineError;
import static org.vqvae.cli.CliTest.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.io.Npy;
import org.vqvae.core.io.NpyHeader;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.io.NpyWriter;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** NumPy in and out on the command line: {@code --data npy:FILE} and {@code decode --out FILE.npy}. */
class NpyCliTest {

    @TempDir static Path work;
    static Path images;
    static Path model;

    static void writeImages(Path file, long seed, long... shape) throws IOException {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        long[] v = new long[(int) n];
        Random r = new Random(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(256);
        }
        try (NpyWriter w = NpyWriter.open(file, NpyType.U1, shape)) {
            w.append(v, 0, v.length);
            w.commit();
        }
    }

    @BeforeAll
    static void trainOnNpy() throws IOException {
        images = work.resolve("rgb.npy");
        writeImages(images, 3, 40, 8, 8, 3); // [N, H, W, C], as NumPy and PIL hold images
        model = work.resolve("run");
        CliTest.Run r = run("train", "--data", "npy:" + images, "--steps", "2", "--batch", "8", "--hidden", "8",
                "--res-channels", "4", "--res-blocks", "1", "--codes", "16", "--code-dim", "4", "--threads", "1",
                "--eval-every", "2", "--out", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("npy:" + images) || Files.readString(model.resolve("summary.json")).contains("npy:"),
                r.out());
    }

    @Test
    void encodeReconstructAndDecodeToNpy() throws IOException {
        Path codes = work.resolve("codes.npy");
        assertEquals(0, run("encode", "--model", model.toString(), "--data", "npy:" + images, "--out",
                codes.toString()).code());
        Path recon = work.resolve("recon.png");
        assertEquals(0, run("reconstruct", "--model", model.toString(), "--data", "npy:" + images, "--out",
                recon.toString()).code());
        assertTrue(Files.size(recon) > 100);
        Path decoded = work.resolve("decoded.npy");
        CliTest.Run d = run("decode", "--model", model.toString(), "--codes", codes.toString(), "--out",
                decoded.toString());
        assertEquals(0, d.code(), d.err());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray c = Npy.read(m, codes).singletonOrThrow();
            assertEquals(new Shape(4, 2, 2), c.getShape()); // the held-out tenth of 40
            NDArray out = Npy.read(m, decoded).singletonOrThrow();
            assertEquals(DataType.FLOAT32, out.getDataType());
            assertEquals(new Shape(4, 3, 8, 8), out.getShape());
            CodeModel loaded = Checkpoint.loadAny(model, m);
            NDArray expected = loaded.decodeLevels(new NDList(c));
            assertArrayEquals(expected.toFloatArray(), out.toFloatArray(), 1e-6f);
        }
        assertTrue(Files.list(work).noneMatch(p -> p.getFileName().toString().contains(".tmp")));
    }

    @Test
    void decodeToNpyGoesChunkByChunk() throws IOException {
        // more maps than one chunk: the file is still every map, in order
        Path codes = work.resolve("many.npy");
        int n = DecodeCommand.NPY_CHUNK + 5;
        long[] v = new long[n * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 7) % 16;
        }
        try (NpyWriter w = NpyWriter.open(codes, NpyType.U2, n, 2, 2)) {
            w.append(v, 0, v.length);
            w.commit();
        }
        Path decoded = work.resolve("many-decoded.npy");
        CliTest.Run d = run("decode", "--model", model.toString(), "--codes", codes.toString(), "--limit", "1000",
                "--out", decoded.toString());
        assertEquals(0, d.code(), d.err());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray out = Npy.read(m, decoded).singletonOrThrow();
            assertEquals(new Shape(n, 3, 8, 8), out.getShape());
            NDArray expected = Checkpoint.loadAny(model, m).decodeLevels(
                    new NDList(m.create(v, new Shape(n, 2, 2))));
            assertArrayEquals(expected.toFloatArray(), out.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void badNpyDataIsOneLine() throws IOException {
        Path grey = work.resolve("grey.npy");
        writeImages(grey, 4, 12, 8, 8);
        assertOneLineError(run("encode", "--model", model.toString(), "--data", "npy:" + grey, "--out",
                work.resolve("x.npy").toString()), 1, "holds 1x8x8 images but the model was trained on 3x8x8");
        Path big = work.resolve("big.npy");
        writeImages(big, 4, 12, 16, 16, 3);
        assertOneLineError(run("reconstruct", "--model", model.toString(), "--data", "npy:" + big, "--out",
                work.resolve("x.png").toString()), 1, "holds 3x16x16 images but the model was trained on 3x8x8");
        assertOneLineError(run("encode", "--model", model.toString(), "--data", "npy:" + work.resolve("none.npy"),
                "--out", work.resolve("x.npy").toString()), 1, "none.npy: no such");
        Path f32 = work.resolve("float.npy");
        byte[] h = NpyHeader.encode("<f4", new long[] {2, 8, 8, 3});
        Files.write(f32, java.util.Arrays.copyOf(h, h.length + 2 * 8 * 8 * 3 * 4));
        assertOneLineError(run("train", "--data", "npy:" + f32, "--steps", "1", "--out", work.resolve("r2").toString()),
                1, "float.npy holds dtype <f4");
        Path cut = work.resolve("cut.npy");
        byte[] hu = NpyHeader.encode(NpyType.U1, new long[] {20, 8, 8, 3});
        Files.write(cut, java.util.Arrays.copyOf(hu, hu.length + 100));
        assertOneLineError(run("encode", "--model", model.toString(), "--data", "npy:" + cut, "--out",
                work.resolve("x.npy").toString()), 1, "cut.npy is truncated");
    }
}
