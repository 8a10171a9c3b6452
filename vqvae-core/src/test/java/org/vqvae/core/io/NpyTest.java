package org.vqvae.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class NpyTest {

    @Test
    void writesTheNumpyFormatByteForByte(@TempDir Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path f = dir.resolve("codes.npy");
            Npy.write(f, m.create(new long[] {1, 2, 3, 4, 5, 6}, new Shape(1, 2, 3)));
            byte[] b = Files.readAllBytes(f);
            assertEquals(128 + 48, b.length); // 64-byte aligned header, then 6 int64
            String header = new String(b, 10, 118, StandardCharsets.US_ASCII);
            assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2, 3), }", header.trim());
            assertEquals('\n', (char) b[127]);
            assertEquals(1, b[128]);
            assertEquals(6, b[128 + 40]);
        }
    }

    @Test
    void roundTripsNpyAndNpz(@TempDir Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new int[] {7, 8, 9}, new Shape(3));
            NDArray b = m.create(new float[] {0.5f, -1f}, new Shape(2, 1));
            Npy.write(dir.resolve("a.npy"), a);
            NDArray back = Npy.read(m, dir.resolve("a.npy")).singletonOrThrow();
            assertEquals(DataType.INT32, back.getDataType());
            assertArrayEquals(new int[] {7, 8, 9}, back.toIntArray());
            Npy.writeNpz(dir.resolve("ab.npz"), List.of("top", "bottom"), List.of(a, b));
            NDList both = Npy.read(m, dir.resolve("ab.npz"));
            assertEquals("top", both.get(0).getName());
            assertArrayEquals(new float[] {0.5f, -1f}, both.get("bottom").toFloatArray());
        }
    }

    @Test
    void garbageIsAnIoError(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("junk.npy");
        Files.writeString(f, "this is not numpy at all");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IOException.class, () -> Npy.read(m, f));
            assertThrows(IOException.class, () -> Npy.read(m, dir.resolve("missing.npy")));
        }
    }
}
