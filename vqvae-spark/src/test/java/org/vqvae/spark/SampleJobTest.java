package org.vqvae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.io.MappedNpy;

import java.nio.file.Path;

/** sample on local[2]: the same files whether the batches run as one task or spread over both executors. */
class SampleJobTest {

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
    void samplesDoNotDependOnHowTheBatchesAreSpread(@TempDir Path work) throws Exception {
        Path model = TestData.train(work.resolve("model"));
        Path codes = work.resolve("codes");
        assertEquals(0, TestData.vqvae("extract-codes", "--model", model.toString(), "--out", codes.toString(),
                "--threads", "1", "--workers", "1").code());
        Path prior = work.resolve("prior");
        TestData.Run t = TestData.vqvae("train-prior", "--codes", codes.toString(), "--steps", "2", "--batch", "8",
                "--channels", "8", "--layers", "2", "--out", prior.toString(), "--threads", "1");
        assertEquals(0, t.code(), t.err());

        Path spread = work.resolve("spread");
        TestData.Run s = TestData.spark("sample", "--master", "local[2]", "--model", model.toString(), "--prior",
                prior.toString(), "-n", "10", "--batch", "3", "--seed", "7", "--out", spread.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("10 sampled images in 4 batches"), s.out());
        Path oneTask = work.resolve("one-task");
        s = TestData.spark("sample", "--master", "local[2]", "--model", model.toString(), "--prior", prior.toString(),
                "-n", "10", "--batch", "3", "--seed", "7", "--batches-per-task", "4", "--out", oneTask.toString());
        assertEquals(0, s.code(), s.err());
        TestData.assertSameFiles(spread, oneTask);

        MappedNpy images = MappedNpy.open(spread.resolve("images.npy"));
        assertArrayEquals(new long[] {10, 1, 28, 28}, images.shape());
        assertArrayEquals(new long[] {10, 7, 7}, MappedNpy.open(spread.resolve("codes.npy")).shape());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, MappedNpy.open(spread.resolve("labels.npy")).readAll());

        TestData.Run bad = TestData.spark("sample", "--master", "local[2]", "--model", model.toString(), "--top-prior",
                prior.toString(), "--bottom-prior", prior.toString(), "--out", work.resolve("x").toString());
        assertEquals(1, bad.code());
        ExtractCodesJobTest.assertOneLine(bad.err(), "a one-level VQ-VAE takes --prior DIR");
    }
}
