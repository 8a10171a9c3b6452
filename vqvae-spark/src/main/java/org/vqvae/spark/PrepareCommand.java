package org.vqvae.spark;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ShardWriter;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vqvae spark prepare}: {@code vqvae prepare}'s shards, a Spark task per shard. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Decode, resize and centre-crop an image folder into the shards of vqvae prepare (the same"
                + " bytes), a Spark task per shard. A rerun writes only the missing shards.")
final class PrepareCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "folder:DIR", required = true,
            description = "An image folder, one sub-folder per class (local or a URI).")
    String data;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "The shard directory, on storage the driver and every executor see.")
    Path out;

    @Option(names = "--shard-images", paramLabel = "N", description = "Images per shard (default: about 64 MB each).")
    Integer shardImages;

    @Option(names = "--grey", description = "Decode to one grey channel instead of RGB.")
    boolean grey;

    @Mixin ImageFlags images;
    @Mixin SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        if (DataSpec.parse(data).kind() != DataSpec.Kind.FOLDER) {
            throw new IllegalArgumentException("--data must be an image folder (folder:DIR), got " + data);
        }
        int size = images.imageSize != null ? images.imageSize : 256;
        ShardWriter.Result r = PrepareJob.run(spark.session("prepare"), data, out, size, grey, shardImages,
                images.strict, spark.workers, System.out);
        System.out.printf(Locale.ROOT, "wrote %s: %d images in %d shards (%d written now, %d unreadable images left"
                + " out%s)%n", out, r.images(), r.shards(), r.written(), r.skipped(),
                r.skipped() > 0 ? ", listed in the shards' skipped.txt" : "");
        return 0;
    }
}
