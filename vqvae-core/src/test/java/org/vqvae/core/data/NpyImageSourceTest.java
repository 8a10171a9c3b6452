package org.vqvae.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.io.NpyHeader;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.io.NpyWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** {@code npy:FILE}: uint8 images read back pixel-exact, HWC transposed to CHW, bad files refused. */
class NpyImageSourceTest {

    @TempDir Path dir;

    static void writeU1(Path file, byte[] values, long... shape) throws IOException {
        long[] v = new long[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i] & 0xFF;
        }
        try (NpyWriter w = NpyWriter.open(file, NpyType.U1, shape)) {
            w.append(v, 0, v.length);
            w.commit();
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void hwcIsTransposedToChw() throws IOException {
        int n = 3;
        int h = 2;
        int w = 5; // not square: a swapped H and W would show
        byte[] hwc = random(n * h * w * 3, 1);
        Path f = dir.resolve("rgb.npy");
        writeU1(f, hwc, n, h, w, 3);
        NpyImageSource src = NpyImageSource.open(f);
        assertEquals(n, src.size());
        assertEquals("3x2x5", src.shapeText());
        byte[] chw = new byte[src.imageBytes() + 7];
        for (int i = 0; i < n; i++) {
            src.read(i, chw, 7);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        assertEquals(hwc[((i * h + y) * w + x) * 3 + c], chw[7 + (c * h + y) * w + x],
                                "image " + i + " c" + c + " y" + y + " x" + x);
                    }
                }
            }
            assertEquals(0, src.label(i)); // no labels file: one class
        }
        assertEquals(1, src.numClasses());
    }

    @Test
    void greyscaleWithAndWithoutChannelAxisAndLabels() throws IOException {
        byte[] px = random(12 * 4 * 3, 2);
        Path f3 = dir.resolve("grey.npy");
        Path f4 = dir.resolve("grey1.npy");
        writeU1(f3, px, 12, 4, 3);
        writeU1(f4, px, 12, 4, 3, 1);
        try (NpyWriter lw = NpyWriter.open(NpyImageSource.labelsFile(f3), NpyType.I8, 12)) {
            long[] labels = new long[12];
            for (int i = 0; i < 12; i++) {
                labels[i] = i % 4;
            }
            lw.append(labels, 0, 12);
            lw.commit();
        }
        assertEquals(dir.resolve("grey_labels.npy"), NpyImageSource.labelsFile(f3));
        for (Path f : new Path[] {f3, f4}) {
            NpyImageSource src = NpyImageSource.open(f);
            assertEquals("1x4x3", src.shapeText());
            ImageSet all = src.gather(0, 12);
            assertArrayEquals(px, all.pixels());
        }
        NpyImageSource labelled = NpyImageSource.open(f3);
        assertEquals(3, labelled.label(7));
        assertEquals(4, labelled.numClasses());
        assertEquals(0, NpyImageSource.open(f4).label(7));

        DataSpec spec = DataSpec.parse("npy:" + f3);
        assertEquals("npy:" + f3, spec.toString());
        assertTrue(spec.streamed());
        DataSpec.Splits<ImageSource> splits = spec.open();
        assertEquals(11, splits.train().size()); // every tenth image held out, as for folders
        assertEquals(1, splits.test().size());
        assertNull(splits.classes());
        byte[] one = new byte[12];
        splits.test().read(0, one, 0);
        assertArrayEquals(java.util.Arrays.copyOfRange(px, 9 * 12, 10 * 12), one);
        // a separate held-out file (--val-data) leaves every image of the training file training
        assertEquals(12, spec.open(DataSpec.parse("npy:" + f4)).train().size());
    }

    @Test
    void numpyWrittenFileReadsBackPixelExact() throws Exception {
        Path f = dir.resolve("np.npy");
        String script = "import numpy as np, sys\n"
                + "x = (np.arange(2 * 3 * 4 * 3) * 7 % 256).astype(np.uint8).reshape(2, 3, 4, 3)\n"
                + "np.save(sys.argv[1], x)\n"
                + "np.save(sys.argv[2], x.transpose(0, 3, 1, 2).copy())\n";
        Path chwFile = dir.resolve("chw.npy");
        Process p;
        try {
            p = new ProcessBuilder("/usr/bin/python3", "-c", script, f.toString(), chwFile.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no python3: " + e.getMessage());
            return;
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        p.getInputStream().transferTo(log);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Assumptions.assumeTrue(p.exitValue() == 0, "python3 without numpy: " + log);
        NpyImageSource src = NpyImageSource.open(f);
        assertEquals("3x3x4", src.shapeText());
        // NumPy's own transpose to [N, C, H, W] is what the source reads
        byte[] expected = Files.readAllBytes(chwFile);
        int data = expected.length - 2 * 36;
        assertArrayEquals(java.util.Arrays.copyOfRange(expected, data, expected.length), src.gather(0, 2).pixels());
        // and NumPy's layout is refused as channels when it is [N, C, H, W] with C not last
        IOException e = assertThrows(IOException.class, () -> NpyImageSource.open(chwFile));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
    }

    private void assertRefused(Path f, String fragment) {
        IOException e = assertThrows(IOException.class, () -> DataSpec.parse("npy:" + f).open(), f.toString());
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException nf) {
            m = nf.getFile() + ": " + nf.getReason();
        }
        assertTrue(m.contains(f.getFileName().toString()), m);
        assertTrue(m.contains(fragment), "'" + fragment + "' not in: " + m);
        assertFalse(m.contains("\n"), m);
    }

    private Path raw(String name, String descr, long[] shape, int dataBytes) throws IOException {
        Path f = dir.resolve(name);
        byte[] h = NpyHeader.encode(descr, shape);
        byte[] all = java.util.Arrays.copyOf(h, h.length + dataBytes);
        Files.write(f, all);
        return f;
    }

    @Test
    void badFilesAreRefusedNamingTheProblem() throws IOException {
        assertRefused(dir.resolve("missing.npy"), "no such");
        Path text = dir.resolve("text.npy");
        Files.writeString(text, "not numpy at all");
        assertRefused(text, "not a .npy");
        assertRefused(raw("float.npy", "<f4", new long[] {2, 4, 4}, 2 * 16 * 4), "<f4");
        assertRefused(raw("int.npy", "<i4", new long[] {2, 4, 4}, 2 * 16 * 4), "must be uint8");
        assertRefused(raw("rank2.npy", "|u1", new long[] {4, 4}, 16), "[N, H, W, C]");
        assertRefused(raw("rank5.npy", "|u1", new long[] {1, 2, 2, 2, 3}, 24), "[N, H, W, C]");
        assertRefused(raw("four.npy", "|u1", new long[] {2, 4, 4, 4}, 128), "channels");
        assertRefused(raw("short.npy", "|u1", new long[] {10, 4, 4}, 100), "truncated");
        assertRefused(raw("empty.npy", "|u1", new long[] {0, 4, 4}, 0), "no images");
        Path fortran = dir.resolve("fortran.npy");
        Files.writeString(fortran, new String(NpyHeader.encode(NpyType.U1, new long[] {2, 2, 2}),
                java.nio.charset.StandardCharsets.ISO_8859_1).replace("False", "True ") + "12345678",
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertRefused(fortran, "Fortran");
        Path ok = raw("ok.npy", "|u1", new long[] {3, 2, 2}, 12);
        raw("ok_labels.npy", "<i4", new long[] {2}, 8);
        IOException e = assertThrows(IOException.class, () -> NpyImageSource.open(ok));
        assertTrue(e.getMessage().contains("ok_labels.npy") && e.getMessage().contains("expected [3]"), e.getMessage());
        assertEquals("data 'npy:' needs a file, e.g. npy:/path/to/images.npy",
                assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("npy:")).getMessage());
    }
}
