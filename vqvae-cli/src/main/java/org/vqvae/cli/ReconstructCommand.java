package org.vqvae.cli;

import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.ImageSource;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.VqVaeTrainer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vqvae reconstruct}: originals above their reconstructions through the codes. */
@Command(name = "reconstruct", mixinStandardHelpOptions = true,
        description = "Write a PNG grid of images (odd rows) above their reconstructions (even rows); for a VQ-VAE-2,"
                + " --levels picks the code levels used (the others are zeroed).")
final class ReconstructCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "Run or checkpoint directory.")
    Path modelDir;

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "embedded", description = "Images (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--split", paramLabel = "train|test", defaultValue = "test", description = "Which split (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--levels", paramLabel = "NAMES", split = ",",
            description = "VQ-VAE-2 levels to reconstruct from, e.g. top or top,bottom (default: all).")
    List<String> levels;

    @Mixin ImageOptions imageOptions;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Output PNG.")
    Path out;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        engine.start();
        try (NDManager manager = NDManager.newBaseManager()) {
            CodeModel model = Checkpoint.loadAny(modelDir, manager);
            ImageSource images = ModelRuns.images(data, split, model, imageOptions);
            if (levels == null || levels.isEmpty()) {
                VqVaeTrainer.writeReconstructions(out, model, images, manager);
            } else {
                if (!(model instanceof VqVae2 v2)) {
                    throw new IllegalArgumentException(model.levels() == 1
                            ? "--levels needs a VQ-VAE-2; this model has one level"
                            : "--levels is not supported for an imported model");
                }
                List<Integer> keep = new ArrayList<>();
                for (String name : levels) {
                    int found = -1;
                    for (int l = 0; l < model.levels(); l++) {
                        if (model.levelName(l).equals(name.trim()) || ("level" + l).equals(name.trim())) {
                            found = l;
                        }
                    }
                    if (found < 0) {
                        throw new IllegalArgumentException("unknown level '" + name + "'; this model has "
                                + String.join(", ", names(model)));
                    }
                    keep.add(found);
                }
                VqVaeTrainer.writeReconstructions(out, x -> v2.reconstructFromLevels(x, keep), images, manager);
            }
            System.out.println("wrote " + out);
        }
        return 0;
    }

    private static List<String> names(CodeModel model) {
        List<String> n = new ArrayList<>();
        for (int l = 0; l < model.levels(); l++) {
            n.add(model.levelName(l));
        }
        return n;
    }
}
