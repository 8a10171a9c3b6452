package org.vqvae.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.io.MappedNpy;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;
import org.vqvae.core.model.VqVaeConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

/** Streaming extraction writes, chunk by chunk, the same codes the in-memory path computes. */
class CodeExtractionTest {

    private static ImageSet images(int n, int c, int size, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * c * size * size];
        r.nextBytes(px);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(10);
        }
        return new ImageSet(px, labels, n, c, size, size);
    }

    @Test
    void writesEachLevelAsUint16EqualToTheInMemoryCodes(@TempDir Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(11);
        CodeModel model = new VqVae2(VqVae2Config.defaults(3, 16, 16, 2).withSizes(8, 4, 1, 64, 4));
        ImageSet set = images(300, 3, 16, 1); // two chunks of the streaming path, the second partial
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            CodeSet[] expected = CodeExtraction.encodeLevels(model, set, m);
            CodeExtraction.extract(model, set, dir, "train", m);
            for (int l = 0; l < 2; l++) {
                MappedNpy f = MappedNpy.open(dir.resolve("train_" + model.levelName(l) + "_codes.npy"));
                assertEquals(NpyType.U2, f.type());
                assertArrayEquals(new long[] {300, expected[l].height(), expected[l].width()}, f.shape());
                assertArrayEquals(expected[l].codes().read(0, 300), f.readAll(), "level " + l);
            }
            MappedNpy labels = MappedNpy.open(dir.resolve("train_labels.npy"));
            assertArrayEquals(expected[0].labels(), labels.readAll());
            CodeSet bottom = CodeSet.read(dir, "train", "bottom").conditionedOn(CodeSet.read(dir, "train", "top"));
            assertArrayEquals(expected[1].codes().read(299, 1), bottom.batch(m, new int[] {299}).get(2).toLongArray());
        }
    }

    @Test
    void aCodebookOfMoreThan65536CodesIsWrittenAsInt32(@TempDir Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(12);
        CodeModel model = new VqVae(VqVaeConfig.defaults(1, 8, 8).withTrunk(8, 4, 1).withCodebook(70_000, 2));
        ImageSet set = images(5, 1, 8, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            CodeExtraction.extract(model, set, dir, "test", m);
            MappedNpy f = MappedNpy.open(dir.resolve("test_codes.npy"));
            assertEquals(NpyType.I4, f.type());
            assertArrayEquals(CodeExtraction.encode((VqVae) model, set, m).codes().read(0, 5), f.readAll());
        }
    }

    @Test
    void aFailedExtractionLeavesNoFiles(@TempDir Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(13);
        CodeModel model = new VqVae(VqVaeConfig.defaults(1, 8, 8).withTrunk(8, 4, 1).withCodebook(16, 2));
        ImageSet set = images(600, 1, 8, 3);
        ImageSource failing = new ImageSource() {
            @Override public int size() { return set.size(); }
            @Override public int channels() { return 1; }
            @Override public int height() { return 8; }
            @Override public int width() { return 8; }
            @Override public int label(int index) { return set.label(index); }
            @Override public void read(int index, byte[] dst, int offset) throws IOException {
                if (index == 555) {
                    throw new IOException("image 555 is corrupt");
                }
                set.read(index, dst, offset);
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            assertThrows(IOException.class, () -> CodeExtraction.extract(model, failing, dir, "train", m));
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "a partial file or temporary survived");
        }
        assertTrue(Files.isDirectory(dir));
    }
}
