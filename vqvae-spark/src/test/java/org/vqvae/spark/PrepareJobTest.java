package org.vqvae.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** prepare on local[2] against {@code vqvae prepare}: the same shards, byte for byte. */
class PrepareJobTest {

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("local[2]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void shardsMatchTheCommandAndARerunWritesOnlyWhatIsMissing(@TempDir Path work) throws Exception {
        Path folder = work.resolve("images");
        TestData.writeFolder(folder, 8, 3);
        Path single = work.resolve("single");
        TestData.Run c = TestData.vqvae("prepare", "--data", "folder:" + folder, "--image-size", "12",
                "--shard-images", "5", "--workers", "1", "--out", single.toString());
        assertEquals(0, c.code(), c.err());
        Path onSpark = work.resolve("spark");
        TestData.Run s = TestData.spark("prepare", "--master", "local[2]", "--data", "folder:" + folder,
                "--image-size", "12", "--shard-images", "5", "--out", onSpark.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("24 images in 5 shards (5 written now, 1 unreadable images left out"), s.out());
        TestData.assertSameFiles(single, onSpark);

        // an interrupted run: one shard missing, a temporary left behind
        Path shard = onSpark.resolve("shard-000002");
        for (Path f : Files.list(shard).toList()) {
            Files.delete(f);
        }
        Files.delete(shard);
        Files.createDirectories(onSpark.resolve(".shard-000003.tmp123"));
        s = TestData.spark("prepare", "--master", "local[2]", "--data", "folder:" + folder, "--image-size", "12",
                "--shard-images", "5", "--out", onSpark.toString());
        assertTrue(s.out().contains("(1 written now"), s.out());
        TestData.assertSameFiles(single, onSpark);

        TestData.Run bad = TestData.spark("prepare", "--master", "local[2]", "--data", "folder:" + folder,
                "--image-size", "14", "--shard-images", "5", "--out", onSpark.toString());
        assertEquals(1, bad.code());
        ExtractCodesJobTest.assertOneLine(bad.err(), "holds shards of another preparation");
        bad = TestData.spark("prepare", "--master", "local[2]", "--data", "mnist:" + folder, "--out", "x");
        assertEquals(1, bad.code());
        ExtractCodesJobTest.assertOneLine(bad.err(), "must be an image folder");
    }
}
