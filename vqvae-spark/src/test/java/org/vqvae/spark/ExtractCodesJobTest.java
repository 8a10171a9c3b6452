package org.vqvae.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.io.MappedNpy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** extract-codes on local[2] against {@code vqvae extract-codes}: the same files, byte for byte. */
class ExtractCodesJobTest {

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("local[2,2]"); // a failed task is retried once
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void folderOnAVqVae2MatchesTheCommandAndWritesParquet(@TempDir Path work) throws Exception {
        Path folder = work.resolve("images");
        TestData.writeFolder(folder, 10, 1);
        Path model = TestData.train(work.resolve("model"), "--model", "vqvae2", "--data", "folder:" + folder,
                "--image-size", "16");
        Path single = work.resolve("single");
        TestData.Run c = TestData.vqvae("extract-codes", "--model", model.toString(), "--data", "folder:" + folder,
                "--out", single.toString(), "--threads", "1", "--workers", "1");
        assertEquals(0, c.code(), c.err());
        Path onSpark = work.resolve("spark");
        TestData.Run s = TestData.spark("extract-codes", "--master", "local[2]", "--model", model.toString(),
                "--data", "folder:" + folder, "--out", onSpark.toString(), "--chunks-per-task", "1");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("28 train and 3 test images' code maps (bottom 4x4, top 2x2)"), s.out());
        TestData.assertSameFiles(single, onSpark, "codes.parquet");
        assertFalse(Files.exists(onSpark.resolve(CodeParts.DIR)));

        List<Row> rows = spark.read().parquet(onSpark.resolve("codes.parquet").toString())
                .orderBy("split", "index").collectAsList();
        assertEquals(31, rows.size()); // 30 images and the corrupt file's stand-in
        Row first = rows.get(1); // "test" sorts before "train"
        assertEquals("test", first.getString(0));
        long[] codes = MappedNpy.open(single.resolve("test_top_codes.npy")).readAll();
        List<Integer> top = first.getList(first.fieldIndex("codes_top"));
        for (int k = 0; k < 4; k++) {
            assertEquals(codes[4 + k], top.get(k).longValue()); // the second held-out image's 2x2 top map
        }
        assertTrue(first.getString(2).startsWith(folder.toString()), first.getString(2));
    }

    @Test
    void manyTasksOnTheEmbeddedSetMatchTheCommandThoughATaskFailsMidCommit(@TempDir Path work) throws Exception {
        Path model = TestData.train(work.resolve("model"));
        Path single = work.resolve("single");
        TestData.Run c = TestData.vqvae("extract-codes", "--model", model.toString(), "--out", single.toString(),
                "--threads", "1", "--workers", "1");
        assertEquals(0, c.code(), c.err());
        Path onSpark = work.resolve("spark");
        TestData.Run s;
        System.setProperty("vqvae.spark.failTask", "2"); // its first attempt dies between its parts and its done file
        try {
            s = TestData.spark("extract-codes", "--master", "local[2]", "--model", model.toString(),
                    "--out", onSpark.toString(), "--parquet", "none", "--chunks-per-task", "3");
        } finally {
            System.clearProperty("vqvae.spark.failTask");
        }
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("9000 train and 1000 test images' code maps (7 tasks"), s.out());
        TestData.assertSameFiles(single, onSpark);
    }

    @Test
    void badInputGetsOneLine(@TempDir Path work) {
        TestData.Run r = TestData.spark("extract-codes", "--master", "local[2]", "--model", work.resolve("nope").toString(),
                "--out", work.resolve("o").toString());
        assertEquals(1, r.code());
        assertOneLine(r.err(), "nope");
        r = TestData.spark("extract-codes", "--master", "local[2]", "--model", work.toString(), "--data", "bogus:x", "--out", "o");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "unknown data 'bogus:x'");
        r = TestData.spark("extract-codes", "--model", "m", "--out", "o", "--bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown option: '--bogus'"), r.err());
    }

    static void assertOneLine(String err, String part) {
        String[] lines = err.strip().split("\n");
        assertEquals(1, lines.length, err);
        assertTrue(lines[0].contains(part), err);
    }

}
