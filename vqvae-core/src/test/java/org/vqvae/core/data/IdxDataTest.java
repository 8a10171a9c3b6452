package org.vqvae.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

class IdxDataTest {

    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    /** Writes a 5-image 4x3 dataset in MNIST layout; train split gzip-compressed, test raw. */
    static void writeDataset(Path dir) throws IOException {
        byte[] px = new byte[5 * 4 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 4);
        }
        byte[] labels = {0, 1, 2, 3, 9};
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(idx(0x803, new int[] {5, 4, 3}, px)));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(idx(0x801, new int[] {5}, labels)));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {5, 4, 3}, px));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {5}, labels));
    }

    @Test
    void readsGzipAndRawSplits(@TempDir Path dir) throws IOException {
        writeDataset(dir);
        DataSpec.Splits<ImageSet> s = DataSpec.parse("fashion-mnist:" + dir).load();
        assertEquals(5, s.train().size());
        assertEquals(4, s.train().height());
        assertEquals(3, s.train().width());
        assertArrayEquals(new int[] {0, 1, 2, 3, 9}, s.test().labels());
        assertArrayEquals(s.train().pixels(), s.test().pixels());
        assertEquals((byte) 8, s.train().pixels()[2]);
    }

    @Test
    void embeddedSampleIsTheMnistTestSet() throws IOException {
        DataSpec.Splits<ImageSet> s = DataSpec.parse("embedded").load();
        assertEquals(9000, s.train().size());
        assertEquals(1000, s.test().size());
        assertEquals(28, s.train().height());
        assertEquals(10, s.train().numClasses());
        assertEquals(7, s.train().labels()[0]); // the first MNIST test digit is a 7
    }

    @Test
    void truncatedFileIsNamed(@TempDir Path dir) throws IOException {
        writeDataset(dir);
        byte[] full = idx(0x803, new int[] {5, 4, 3}, new byte[60]);
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), java.util.Arrays.copyOf(full, full.length - 7));
        IOException e = assertThrows(IOException.class, () -> DataSpec.parse("mnist:" + dir).load());
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte is truncated"), e.getMessage());
    }

    @Test
    void wrongMagicIsNamed(@TempDir Path dir) throws IOException {
        writeDataset(dir);
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x801, new int[] {60}, new byte[60]));
        IOException e = assertThrows(IOException.class, () -> DataSpec.parse("mnist:" + dir).load());
        assertTrue(e.getMessage().contains("not an IDX file of 3-dimensional unsigned bytes"), e.getMessage());
    }

    @Test
    void corruptGzipIsNamed(@TempDir Path dir) throws IOException {
        writeDataset(dir);
        byte[] gz = Files.readAllBytes(dir.resolve("train-images-idx3-ubyte.gz"));
        gz[gz.length / 2] ^= 0x5A;
        gz[gz.length / 2 + 1] ^= 0x33;
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gz);
        IOException e = assertThrows(IOException.class, () -> DataSpec.parse("mnist:" + dir).load());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
    }

    @Test
    void labelCountMustMatch(@TempDir Path dir) throws IOException {
        writeDataset(dir);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {4}, new byte[4]));
        IOException e = assertThrows(IOException.class, () -> DataSpec.parse("mnist:" + dir).load());
        assertTrue(e.getMessage().contains("4 labels but"), e.getMessage());
    }

    @Test
    void missingDirectoryAndFilesAreNamed(@TempDir Path dir) throws IOException {
        assertThrows(NoSuchFileException.class, () -> DataSpec.parse("mnist:" + dir.resolve("nope")).load());
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> DataSpec.parse("mnist:" + dir).load());
        assertTrue(e.getReason().contains("missing train-images-idx3-ubyte"), e.getReason());
    }

    @Test
    void badSpecsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("cifar100:/x"));
        assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("mnist:"));
        assertEquals(DataSpec.Kind.FASHION_MNIST, DataSpec.parse("fashion-mnist:/d").kind());
    }
}
