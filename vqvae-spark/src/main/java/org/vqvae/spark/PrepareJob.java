package org.vqvae.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.vqvae.core.data.ShardWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code vqvae spark prepare}: the shards of {@code vqvae prepare}, the same bytes, a task per
 * shard. The driver indexes the folder (through Hadoop: any file system) and checks the plan
 * ({@link ShardWriter#begin}); each task decodes its shard's images and writes the shard into a
 * temporary directory renamed into place ({@link ShardWriter#writeShard}), so a retried or
 * speculative task leaves one shard; the driver then writes {@code index.json} as the command does
 * ({@link ShardWriter#prepare}, which finds every shard written). The shard directory must be on
 * storage the driver and every executor see (a local disk on one machine, NFS, a mounted bucket).
 */
public final class PrepareJob {

    private PrepareJob() {}

    /**
     * Prepares shards on the cluster.
     *
     * @param spark the session
     * @param data {@code folder:DIR}, DIR local or a URI
     * @param out the shard directory (a path every executor sees)
     * @param imageSize the side images are brought to
     * @param grey decode to one grey channel
     * @param shardImages images per shard, or null for about 64 MB
     * @param strict stop on an unreadable image instead of leaving it out
     * @param workers decoding threads per task
     * @param log progress lines
     * @return what was done
     * @throws IOException if the folder or the shards cannot be read or written
     */
    public static ShardWriter.Result run(SparkSession spark, String data, Path out, int imageSize, boolean grey,
            Integer shardImages, boolean strict, int workers, PrintStream log) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        HadoopImageFolder source = HadoopImageFolder.open(DataPlan.folderRoot(data), imageSize, grey ? 1 : 3, null,
                HadoopFiles.of(sc.hadoopConfiguration()));
        int perShard = shardImages != null ? shardImages : ShardWriter.defaultShardImages(source);
        // DataSpec's name of the folder with the size and strictness, as vqvae prepare records it
        String name = "folder:" + source.root() + " " + source.shapeText();
        log.printf(Locale.ROOT, "preparing %d images of %d classes from %s at %s into %s, %d per shard%n",
                source.size(), source.classes().size(), source.root(), source.shapeText(), out, perShard);
        Path dir = out.toAbsolutePath();
        ShardWriter.begin(source, name, dir, perShard);
        int shards = (source.size() + perShard - 1) / perShard;
        List<Integer> missing = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            if (!Files.isDirectory(dir.resolve(String.format(Locale.ROOT, "shard-%06d", s)))) {
                missing.add(s);
            }
        }
        if (!missing.isEmpty()) {
            Broadcast<HadoopImageFolder> images = sc.broadcast(source);
            String target = dir.toString();
            sc.parallelize(missing, missing.size()).foreach(s -> ShardWriter.writeShard(images.value(), s, perShard,
                    Path.of(target), workers, strict));
        }
        // every shard is there now: this writes index.json alone, as the command's last step
        ShardWriter.Result r = ShardWriter.prepare(source, source.classes(), name, dir, perShard, workers, strict, log);
        return new ShardWriter.Result(r.shards(), missing.size(), r.images(), r.skipped());
    }
}
