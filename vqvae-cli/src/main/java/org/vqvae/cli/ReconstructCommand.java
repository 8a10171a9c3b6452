package org.vqvae.cli;

import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.ImageSet;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.VqVaeTrainer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vqvae reconstruct}: originals above their reconstructions through the codes. */
@Command(name = "reconstruct", mixinStandardHelpOptions = true,
        description = "Write a PNG grid of images (odd rows) above their reconstructions (even rows).")
final class ReconstructCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "Run or checkpoint directory.")
    Path modelDir;

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "embedded", description = "Images (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--split", paramLabel = "train|test", defaultValue = "test", description = "Which split (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Output PNG.")
    Path out;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        engine.start();
        try (NDManager manager = NDManager.newBaseManager()) {
            VqVae model = Checkpoint.load(modelDir, manager);
            ImageSet images = ModelRuns.images(data, split, model.getConfig());
            VqVaeTrainer.writeReconstructions(out, model, images, manager);
            System.out.println("wrote " + out);
        }
        return 0;
    }
}
