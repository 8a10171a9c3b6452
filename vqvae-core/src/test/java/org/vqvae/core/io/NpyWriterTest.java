package org.vqvae.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

/** Streaming {@code .npy} writing, read back through {@link MappedNpy}. */
class NpyWriterTest {

    /** Values covering a type's whole range, its ends included, e.g. uint16 codes above 32767. */
    static long[] valuesOf(NpyType type, int n, long seed) {
        Random r = new Random(seed);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (i % 4) {
                case 0 -> type.min();
                case 1 -> type.max();
                default -> type.size() == 8 ? r.nextLong() : type.min() + (long) (r.nextDouble() * (type.max() - type.min()));
            };
        }
        return v;
    }

    @Test
    void everyTypeRoundTripsThroughManyAppends(@TempDir Path dir) throws IOException {
        for (NpyType type : NpyType.values()) {
            // 3 x 70 x 500 values: more than one 64 KiB buffer of every type
            long[] v = valuesOf(type, 3 * 70 * 500, type.ordinal());
            Path f = dir.resolve(type.name() + ".npy");
            try (NpyWriter w = NpyWriter.open(f, type, 3, 70, 500)) {
                for (int from = 0; from < v.length; from += 9999) {
                    w.append(v, from, Math.min(9999, v.length - from));
                }
                assertFalse(Files.exists(f), "visible before commit");
                w.commit();
            }
            MappedNpy m = MappedNpy.open(f);
            assertEquals(type, m.type());
            assertArrayEquals(new long[] {3, 70, 500}, m.shape());
            assertArrayEquals(v, m.readAll(), type.descr());
            long[] part = new long[10];
            m.read(12_345, part, 0, 10);
            assertArrayEquals(java.util.Arrays.copyOfRange(v, 12_345, 12_355), part);
            assertEquals(0, (Files.size(f) - v.length * (long) type.size()) % 64, "header not 64-byte aligned");
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(NpyType.values().length, left.count(), "temporary files left behind");
        }
    }

    @Test
    void uint16HoldsCodesAbove32767(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("codes.npy");
        try (NpyWriter w = NpyWriter.open(f, NpyType.U2, 2, 2)) {
            w.append(new long[] {0, 32767, 32768, 65535}, 0, 4);
            w.commit();
        }
        long[] back = new long[4];
        MappedNpy.open(f).read(0, back, 0, 4);
        assertArrayEquals(new long[] {0, 32767, 32768, 65535}, back);
    }

    @Test
    void appendsIntegerArrays(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.npy");
        try (NDManager m = NDManager.newBaseManager(); NpyWriter w = NpyWriter.open(f, NpyType.U2, 2, 3)) {
            w.append(m.create(new long[] {1, 2, 40000}, new Shape(1, 3)));
            w.append(m.create(new int[] {4, 5, 6}, new Shape(1, 3)));
            w.commit();
        }
        assertArrayEquals(new long[] {1, 2, 40000, 4, 5, 6}, MappedNpy.open(f).readAll());
    }

    @Test
    void valuesThatDoNotFitAndWrongCountsAreRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("codes.npy");
        try (NpyWriter w = NpyWriter.open(f, NpyType.U2, 4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> w.append(new long[] {1, 65536}, 0, 2));
            assertEquals(f + ": value 65536 (element 1) does not fit <u2 [0, 65535]", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> w.append(new long[] {-1}, 0, 1));
            assertEquals(0, w.written(), "a refused append wrote something");
            w.append(new long[] {1, 2, 3}, 0, 3);
            assertThrows(IllegalStateException.class, w::commit);
            assertThrows(IllegalArgumentException.class, () -> w.append(new long[] {1, 2}, 0, 2));
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "an uncommitted file or its temporary survived close()");
        }
    }

    @Test
    void aHugeHeaderUsesVersion2(@TempDir Path dir) throws IOException {
        long[] shape = new long[25_000]; // more than 64 KiB of header text
        java.util.Arrays.fill(shape, 1);
        shape[0] = 3;
        Path f = dir.resolve("wide.npy");
        try (NpyWriter w = NpyWriter.open(f, NpyType.I4, shape)) {
            w.append(new long[] {-7, 0, 7}, 0, 3);
            w.commit();
        }
        assertEquals(2, Files.readAllBytes(f)[6]);
        MappedNpy m = MappedNpy.open(f);
        assertEquals(25_000, m.shape().length);
        assertArrayEquals(new long[] {-7, 0, 7}, m.readAll());
    }

    @Test
    void float32FilesRoundTripThroughNumPyReadingAndRefuseIntegers(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("images.npy");
        int n = 3 * 40_000; // more than one buffer
        float[] v = new float[n];
        Random r = new Random(9);
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        v[0] = Float.NaN;
        v[1] = -0.5f;
        try (NpyWriter w = NpyWriter.float32(f, 3, 1, 200, 200)) {
            assertThrows(IllegalArgumentException.class, () -> w.append(new long[] {1}, 0, 1));
            w.append(v, 0, 7);
            w.append(v, 7, n - 7);
            w.commit();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.ndarray.NDArray a = Npy.read(m, f).singletonOrThrow();
            assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, a.getDataType());
            assertEquals(new Shape(3, 1, 200, 200), a.getShape());
            assertArrayEquals(v, a.toFloatArray());
        }
        try (NpyWriter w = NpyWriter.open(dir.resolve("codes.npy"), NpyType.I4, 1)) {
            assertThrows(IllegalArgumentException.class, () -> w.append(new float[] {1f}, 0, 1));
        }
        assertFalse(Files.exists(dir.resolve("codes.npy")));
    }
}
