package org.vqvae.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.vqvae.core.io.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class ShardTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void shardsHoldWhatTheFolderDecodesAndSplitTheSameWay(@TempDir Path tmp) throws IOException {
        Path folder = tmp.resolve("images");
        ColourDataTest.writeFolder(folder);
        ImageFolderSource source = ImageFolderSource.open(folder, 16, 3);
        Path out = tmp.resolve("shards");
        ShardWriter.Result r = ShardWriter.prepare(source, source.classes(), "folder:" + folder, out, 6, 2, false, QUIET);
        assertEquals(4, r.shards()); // 21 files in shards of 6
        assertEquals(1, r.skipped());
        assertEquals(20, r.images());
        ShardSource shards = ShardSource.open(out);
        assertEquals(20, shards.size());
        assertEquals(List.of("apples", "berries"), shards.classes());
        // the folder's readable images, in order, byte for byte
        int j = 0;
        byte[] a = new byte[source.imageBytes()];
        byte[] b = new byte[source.imageBytes()];
        for (int i = 0; i < source.size(); i++) {
            try {
                source.read(i, a, 0);
            } catch (IOException e) {
                assertTrue(source.describe(i).endsWith("corrupt.png"), e.getMessage());
                continue;
            }
            shards.read(j, b, 0);
            assertArrayEquals(a, b, "image " + i);
            assertEquals(source.label(i), shards.label(j));
            j++;
        }
        String skipped = Files.readString(out.resolve("shard-000000/skipped.txt"));
        assertTrue(skipped.contains("corrupt.png"), skipped);
        DataSpec.Splits<ImageSource> split = DataSpec.parse("shards:" + out).open();
        assertEquals(18, split.train().size());
        assertEquals(2, split.test().size());
    }

    @Test
    void aRerunWritesOnlyTheMissingShards(@TempDir Path tmp) throws IOException {
        Path folder = tmp.resolve("images");
        ColourDataTest.writeFolder(folder);
        ImageFolderSource source = ImageFolderSource.open(folder, 8, 3);
        Path out = tmp.resolve("shards");
        ShardWriter.prepare(source, source.classes(), "f", out, 5, 1, false, QUIET);
        byte[] before = Files.readAllBytes(out.resolve("shard-000002/images.npy"));
        // a run killed while writing shard 2: the shard and the index are missing, a temporary remains
        AtomicFiles.deleteTree(out.resolve("shard-000002"));
        Files.delete(out.resolve("index.json"));
        Files.createDirectories(out.resolve(".shard-000002.tmp123"));
        assertThrows(IOException.class, () -> ShardSource.open(out));
        ShardWriter.Result again = ShardWriter.prepare(source, source.classes(), "f", out, 5, 2, false, QUIET);
        assertEquals(1, again.written());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("shard-000002/images.npy")));
        assertFalse(Files.exists(out.resolve(".shard-000002.tmp123")), "stale temporary left behind");
        assertEquals(20, ShardSource.open(out).size());
        // another size into the same directory is refused
        ImageFolderSource other = ImageFolderSource.open(folder, 12, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShardWriter.prepare(other, other.classes(), "f", out, 5, 1, false, QUIET));
        assertTrue(e.getMessage().contains("another preparation"), e.getMessage());
    }

    @Test
    void strictPreparationStopsAtTheCorruptImage(@TempDir Path tmp) throws IOException {
        Path folder = tmp.resolve("images");
        ColourDataTest.writeFolder(folder);
        ImageFolderSource source = ImageFolderSource.open(folder, 8, 3);
        IOException e = assertThrows(IOException.class,
                () -> ShardWriter.prepare(source, source.classes(), "f", tmp.resolve("s"), 50, 2, true, QUIET));
        assertTrue(e.getMessage().contains("corrupt.png"), e.getMessage());
        try (var files = Files.list(tmp.resolve("s"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("shard-")), "half-written shard");
        }
    }

}
