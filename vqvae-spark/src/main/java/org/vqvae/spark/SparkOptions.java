package org.vqvae.spark;

import org.apache.spark.sql.SparkSession;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** Options every job takes: the cluster, Spark settings, engine threads and image decoding. */
final class SparkOptions {

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N], spark://HOST:PORT, yarn, k8s://... (default: spark.master, as"
                    + " spark-submit sets it).")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable), as spark-submit's.")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--threads", paramLabel = "T", defaultValue = "0",
            description = "libtorch intra-op threads per executor (default: its cores).")
    int threads;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "1",
            description = "Threads decoding images per task (default ${DEFAULT-VALUE}: Spark runs a task per core).")
    int workers;

    /**
     * Starts (or joins) the Spark session.
     *
     * @param job the job's name
     * @return the session
     */
    SparkSession session(String job) {
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        }
        if (workers < 0) {
            throw new IllegalArgumentException("--workers must be >= 0, got " + workers);
        }
        if (master == null && System.getProperty("spark.master") == null) {
            throw new IllegalArgumentException("give --master URL (local[2], spark://HOST:7077, ...)");
        }
        ModelCache.configureEngine(threads);
        SparkSession.Builder b = SparkSession.builder().appName("vqvae " + job);
        if (master != null) {
            b.master(master);
        }
        b.config("spark.ui.showConsoleProgress", "false");
        conf.forEach(b::config);
        SparkSession s = b.getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }
}
