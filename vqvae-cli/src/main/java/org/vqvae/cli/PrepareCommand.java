package org.vqvae.cli;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageFolderSource;
import org.vqvae.core.data.ShardWriter;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vqvae prepare}: decodes, resizes and crops an image folder once, into shards. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Decode, resize and centre-crop an image folder once into shards (uint8 [n, C, S, S] .npy files"
                + " NumPy memory-maps, with labels and file names) that train faster than JPEGs: --data shards:DIR."
                + " A rerun writes only the missing shards.")
final class PrepareCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "folder:DIR", required = true,
            description = "An image folder, one sub-folder per class.")
    String data;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The shard directory.")
    Path out;

    @Option(names = "--shard-images", paramLabel = "N", description = "Images per shard (default: about 64 MB each).")
    Integer shardImages;

    @Option(names = "--grey", description = "Decode to one grey channel (for a greyscale model) instead of RGB.")
    boolean grey;

    @Mixin ImageOptions images;

    @Override
    public Integer call() throws Exception {
        DataSpec spec = DataSpec.parse(data);
        if (spec.kind() != DataSpec.Kind.FOLDER) {
            throw new IllegalArgumentException("--data must be an image folder (folder:DIR), got " + data);
        }
        int size = images.imageSize != null ? images.imageSize : 256;
        ImageFolderSource source = ImageFolderSource.open(spec.directory(), size, grey ? 1 : 3);
        int perShard = shardImages != null ? shardImages : ShardWriter.defaultShardImages(source);
        System.out.printf(Locale.ROOT, "preparing %d images of %d classes from %s at %s into %s, %d per shard%n",
                source.size(), source.classes().size(), spec.directory(), source.shapeText(), out, perShard);
        ShardWriter.Result r = ShardWriter.prepare(source, source.classes(), spec.withImages(size, images.strict)
                + " " + source.shapeText(), out, perShard, images.workers(), images.strict, System.out);
        System.out.printf(Locale.ROOT, "wrote %s: %d images in %d shards (%d written now, %d unreadable images left"
                + " out%s)%n", out, r.images(), r.shards(), r.written(), r.skipped(),
                r.skipped() > 0 ? ", listed in the shards' skipped.txt" : "");
        return 0;
    }
}
