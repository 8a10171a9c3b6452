package org.vqvae.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.ImageSet;
import org.vqvae.core.io.Npy;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.train.Checkpoint;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vqvae encode}: images to integer code maps in NumPy's .npy. */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Encode images to integer code maps [N, H/f, W/f] (int64 .npy, readable with numpy.load).")
final class EncodeCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "Run or checkpoint directory.")
    Path modelDir;

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "embedded", description = "Images to encode (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--split", paramLabel = "train|test", defaultValue = "test", description = "Which split (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "2147483647", description = "Encode at most N images.")
    int limit;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Output .npy file.")
    Path out;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        engine.start();
        try (NDManager manager = NDManager.newBaseManager()) {
            VqVae model = Checkpoint.load(modelDir, manager);
            ImageSet images = ModelRuns.images(data, split, model.getConfig());
            NDArray codes = ModelRuns.chunked(images, limit, manager, model::encode);
            Npy.write(out, codes);
            System.out.println("wrote " + out + ": int64 codes " + codes.getShape());
        }
        return 0;
    }
}
