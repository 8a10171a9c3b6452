package org.vqvae.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.io.Npy;
import org.vqvae.core.io.NpyHeader;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.io.NpyWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Code sets opened from {@code .npy} files: memory-mapped, of any size, old and new layouts. */
class CodeFilesTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static void writeLabels(Path dir, String prefix, long[] labels) throws IOException {
        try (NpyWriter w = NpyWriter.open(dir.resolve(CodeSet.labelsFile(prefix)), NpyType.I4, labels.length)) {
            w.append(labels, 0, labels.length);
            w.commit();
        }
    }

    private static void writeCodes(Path dir, String file, long[] codes, long... shape) throws IOException {
        try (NpyWriter w = NpyWriter.open(dir.resolve(file), NpyType.U2, shape)) {
            w.append(codes, 0, codes.length);
            w.commit();
        }
    }

    /**
     * ImageNet-sized bottom codes: 540,000 maps of 64x64 uint16 (2.2 billion codes, 4.4 GB) in a
     * sparse file that takes no disk space. The test JVM's heap is 4 GiB, so loading the codes
     * (17.7 GB as long[]) would throw OutOfMemoryError; mapping them must not.
     */
    @Test
    void trainsOnACodeFileOfMoreThan2To31Codes(@TempDir Path dir) throws IOException {
        long t0 = System.nanoTime();
        int n = 540_000;
        int per = 64 * 64;
        byte[] header = NpyHeader.encode(NpyType.U2, new long[] {n, 64, 64});
        Path file = dir.resolve(CodeSet.codesFile("train", null));
        long size = header.length + 2L * n * per;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(header);
            raf.setLength(size);
            // marks to find: the middle map's first code and the last map's last code
            raf.seek(header.length + 2L * (n / 2) * per);
            raf.write(new byte[] {3, 0});
            raf.seek(size - 2);
            raf.write(new byte[] {5, 0});
        }
        writeLabels(dir, "train", new long[n]);
        CodeSet big = CodeSet.read(dir, "train");
        assertEquals(n, big.count());
        assertEquals(64, big.height());
        assertFalse(big.codes().inMemory());
        try (NDManager m = NDManager.newBaseManager()) {
            NDList b = big.batch(m, new int[] {0, n / 2, n - 1});
            assertEquals(new Shape(3, 64, 64), b.get(0).getShape());
            long[] c = b.get(0).toLongArray();
            assertEquals(0, c[0]);
            assertEquals(3, c[per]);
            assertEquals(0, c[per + 1]);
            assertEquals(5, c[3 * per - 1]);
        }
        // a couple of prior steps on it, held-out maps in memory
        Engine.getInstance().setRandomSeed(7);
        GatedPixelCnn prior = new GatedPixelCnn(PixelCnnConfig.defaults(8, 1, 64, 64).withSize(4, 1, 3));
        CodeSet test = new CodeSet(new long[2 * per], new long[2], 64, 64);
        long t1 = System.nanoTime();
        PriorTrainer.Result r = new PriorTrainer(prior, 2, 4, 1e-3f, 0, 2, dir.resolve("prior"), QUIET)
                .train(big, test, Device.cpu());
        assertTrue(Double.isFinite(r.testBitsPerCode()), "bits/code " + r.testBitsPerCode());
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        assertTrue(used < size / 8, "heap in use " + used + " bytes for a " + size + "-byte code file");
        System.out.printf("2.2e9-code sparse file: set up %.1f s, 2 prior steps and evaluation %.1f s, heap %d MB%n",
                (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9, used >> 20);
    }

    @Test
    void outOfRangeCodesInAMappedFileAreRefusedWithOneLine(@TempDir Path dir) throws IOException {
        writeCodes(dir, "train_codes.npy", new long[] {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 9, 2}, 3, 2, 2);
        writeLabels(dir, "train", new long[] {0, 0, 0});
        CodeSet set = CodeSet.read(dir, "train");
        Path file = dir.resolve("train_codes.npy");
        GatedPixelCnn prior = new GatedPixelCnn(PixelCnnConfig.defaults(8, 1, 2, 2).withSize(4, 1, 3));
        CodeSet good = new CodeSet(new long[8], new long[2], 2, 2);
        // training passes whatever batches it draws, then the evaluation gathers map 2
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PriorTrainer(prior, 1, 1, 1e-3f, 0, 1, dir.resolve("p"), QUIET).train(good, set,
                        Device.cpu()));
        assertEquals("held-out codes: map 2 of " + file + " holds code 9, outside [0, 8)", e.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            CodeSet checked = set.check(8, 1, "training codes");
            assertEquals(2, checked.batch(m, new int[] {0, 1}).get(0).getShape().get(0));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> checked.batch(m, new int[] {1, 2}))
                    .getMessage().contains("map 2 of " + file));
            assertEquals(10, set.maxCodePlusOne());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> set.check(8, 0, "codes")).getMessage()
                .contains("class 0, outside [0, 0)"));
    }

    @Test
    void readsTheOldInt64Layout(@TempDir Path dir) throws IOException {
        long[] codes = {1, 2, 3, 4, 5, 6, 7, 8};
        try (NDManager m = NDManager.newBaseManager()) {
            Npy.write(dir.resolve("test_codes.npy"), m.create(codes, new Shape(2, 2, 2)));
            Npy.write(dir.resolve("test_labels.npy"), m.create(new long[] {1, 0}));
            CodeSet set = CodeSet.read(dir, "test");
            assertArrayEquals(new long[] {1, 0}, set.labels());
            NDList b = set.batch(m, new int[] {1, 0});
            assertArrayEquals(new long[] {5, 6, 7, 8, 1, 2, 3, 4}, b.get(0).toLongArray());
            assertArrayEquals(new long[] {0, 1}, b.get(1).toLongArray());
            assertEquals(2, set.numClasses());
            assertEquals(9, set.maxCodePlusOne());
            // labels that do not match the maps
            Npy.write(dir.resolve("test_labels.npy"), m.create(new long[] {1, 0, 1}));
            IOException e = assertThrows(IOException.class, () -> CodeSet.read(dir, "test"));
            assertTrue(e.getMessage().contains("must hold 2 integer labels"), e.getMessage());
            Npy.write(dir.resolve("test_codes.npy"), m.create(new float[] {1, 2}, new Shape(1, 1, 2)));
            e = assertThrows(IOException.class, () -> CodeSet.read(dir, "test"));
            assertTrue(e.getMessage().contains("dtype <f4"), e.getMessage());
        }
    }

    @Test
    void mappedLevelsConditionOneAnother(@TempDir Path dir) throws IOException {
        writeCodes(dir, CodeSet.codesFile("train", "bottom"), new long[] {1, 2, 3, 4, 40000, 6, 7, 8}, 2, 2, 2);
        writeCodes(dir, CodeSet.codesFile("train", "top"), new long[] {9, 65535}, 2, 1, 1);
        writeLabels(dir, "train", new long[] {1, 1});
        CodeSet top = CodeSet.read(dir, "train", "top");
        CodeSet bottom = CodeSet.read(dir, "train", "bottom").conditionedOn(top);
        assertNull(top.condition());
        assertEquals(1, bottom.conditionHeight());
        try (NDManager m = NDManager.newBaseManager()) {
            NDList b = bottom.batch(m, new int[] {1});
            assertEquals(3, b.size());
            assertArrayEquals(new long[] {40000, 6, 7, 8}, b.get(0).toLongArray());
            assertArrayEquals(new long[] {65535}, b.get(2).toLongArray());
        }
        writeLabels(dir, "train", new long[] {1, 1, 0});
        assertTrue(Files.exists(dir.resolve("train_labels.npy")));
        IOException e = assertThrows(IOException.class, () -> CodeSet.read(dir, "train", "top"));
        assertTrue(e.getMessage().contains("must hold 2 integer labels"), e.getMessage());
    }
}
