package org.vqvae.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * extract-codes on the standalone cluster of {@code local-cluster.sh} (a master and two one-core
 * workers on 127.0.0.1, executors in JVMs of their own) against {@code vqvae extract-codes}. The
 * cluster is stopped whatever happens.
 */
class LocalClusterTest {

    @Test
    void extractCodesOnAStandaloneClusterMatchesTheCommand(@TempDir Path work) throws Exception {
        Path folder = work.resolve("images");
        TestData.writeFolder(folder, 8, 5);
        Path model = TestData.train(work.resolve("model"), "--data", "folder:" + folder, "--image-size", "16");
        Path single = work.resolve("single");
        TestData.Run c = TestData.vqvae("extract-codes", "--model", model.toString(), "--data", "folder:" + folder,
                "--out", single.toString(), "--threads", "1", "--workers", "1");
        assertEquals(0, c.code(), c.err());

        Path state = work.resolve("cluster");
        String url = cluster("start", state).strip();
        assertTrue(url.matches("spark://127\\.0\\.0\\.1:\\d+"), url);
        SparkSession spark = null;
        try {
            String cp = System.getProperty("java.class.path");
            spark = SparkSession.builder().master(url).appName("vqvae-spark-cluster-test")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false")
                    .config("spark.executor.memory", "1g")
                    .config("spark.executor.extraClassPath", cp) // this build's classes; a real cluster gets the cluster jar
                    .getOrCreate();
            Path onSpark = work.resolve("spark");
            TestData.Run s = TestData.spark("extract-codes", "--master", url, "--model", model.toString(),
                    "--data", "folder:" + folder, "--out", onSpark.toString(), "--threads", "1",
                    "--chunks-per-task", "1");
            assertEquals(0, s.code(), s.err());
            assertEquals(2, spark.sparkContext().getExecutorMemoryStatus().size() - 1, "two executors and the driver");
            TestData.assertSameFiles(single, onSpark, "codes.parquet");
            assertEquals(25, spark.read().parquet(onSpark.resolve("codes.parquet").toString()).count());
        } finally {
            if (spark != null) {
                spark.stop();
            }
            cluster("stop", state);
        }
    }

    private static String cluster(String command, Path state) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "local-cluster.sh", command);
        pb.environment().put("VQVAE_SPARK_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("LOCAL_CLUSTER_DIR", state.toString());
        pb.environment().put("LOCAL_CLUSTER_WORKER_MEMORY", "1g");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("local-cluster.sh " + command + " failed: " + out
                    + (Files.exists(state.resolve("master.log")) ? Files.readString(state.resolve("master.log")) : ""));
        }
        return out;
    }
}
