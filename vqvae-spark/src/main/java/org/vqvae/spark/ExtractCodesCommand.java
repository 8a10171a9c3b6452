package org.vqvae.spark;

import org.apache.spark.sql.SparkSession;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.train.Checkpoint;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code vqvae spark extract-codes}: {@code vqvae extract-codes} on a cluster, plus Parquet. */
@Command(name = "extract-codes", mixinStandardHelpOptions = true,
        description = "Encode both splits on a Spark cluster: the files of vqvae extract-codes, byte for byte"
                + " ({train,test}[_LEVEL]_codes.npy, {train,test}_labels.npy, meta.json), and OUT/codes.parquet"
                + " (split, index, path, label, one int array per level).")
final class ExtractCodesCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "VQ-VAE or VQ-VAE-2 run directory, on storage every executor sees (or a URI).")
    String model;

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "embedded", description = "Images (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--val-data", paramLabel = "SPEC", description = "Held-out images instead of the data's own split.")
    String valData;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory (local or URI).")
    String out;

    @Option(names = "--parquet", paramLabel = "DIR|none",
            description = "Where the Parquet form goes (default OUT/codes.parquet; none: no Parquet).")
    String parquet;

    @Option(names = "--chunks-per-task", paramLabel = "N", defaultValue = "0",
            description = "Encoding chunks (the command's batches) per task (default: about 3 tasks per core).")
    int chunksPerTask;

    @Mixin ImageFlags images;
    @Mixin SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        if (chunksPerTask < 0) {
            throw new IllegalArgumentException("--chunks-per-task must be >= 0, got " + chunksPerTask);
        }
        String pq = parquet == null ? out.replaceAll("/+$", "") + "/codes.parquet"
                : parquet.equals("none") ? null : parquet;
        // refused before Spark starts: an unknown data kind, a missing model
        DataSpec.parse(data);
        if (valData != null) {
            DataSpec.parse(valData);
        }
        if (!HadoopFiles.isUri(model)) {
            Checkpoint.readConfigJson(java.nio.file.Path.of(model));
        }
        SparkSession session = spark.session("extract-codes");
        long began = System.nanoTime();
        ExtractCodesJob.Result r = ExtractCodesJob.run(session, new ExtractCodesJob.Request(model, data, valData, out,
                pq, images.imageSize, images.strict, spark.workers, spark.threads, chunksPerTask));
        double secs = (System.nanoTime() - began) / 1e9;
        System.out.printf(java.util.Locale.ROOT, "wrote %s: %d train and %d test images' code maps%s"
                + " (%d tasks, %.1f s, %.0f images/s; %.0f images/s per task-second once the model is loaded)%n", out,
                r.train(), r.test(), r.shapes(), r.tasks(), secs, (r.train() + r.test()) / secs,
                (r.train() + r.test()) / r.taskSeconds());
        return 0;
    }
}
