package org.vqvae.spark;

import org.apache.spark.sql.SparkSession;

/** A Spark session for the tests: every server on 127.0.0.1, no web UI. */
final class LocalSpark {

    private LocalSpark() {}

    static SparkSession start(String master) {
        return SparkSession.builder().master(master).appName("vqvae-spark-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }
}
