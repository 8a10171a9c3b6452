package org.vqvae.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.BatchLoader;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.train.Evaluation;
import org.vqvae.core.io.Npy;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Checkpoint;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.concurrent.Callable;

/** {@code vqvae encode}: images to integer code maps in NumPy's .npy (one level) or .npz (one array per level). */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Encode images to int64 code maps: .npy [N, H/4, W/4] for a VQ-VAE; .npz with one array per"
                + " level (bottom, top, ...) for a VQ-VAE-2. numpy.load reads both.")
final class EncodeCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "Run or checkpoint directory.")
    Path modelDir;

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "embedded", description = "Images to encode (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--split", paramLabel = "train|test", defaultValue = "test", description = "Which split (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "2147483647", description = "Encode at most N images.")
    int limit;

    @Mixin ImageOptions imageOptions;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Output .npy or .npz file.")
    Path out;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        engine.start();
        boolean npz = out.getFileName().toString().endsWith(".npz");
        try (NDManager manager = NDManager.newBaseManager()) {
            CodeModel model = Checkpoint.loadAny(modelDir, manager);
            if (model.levels() > 1 && !npz) {
                throw new IllegalArgumentException("this VQ-VAE-2 has " + model.levels()
                        + " code levels: write them to a .npz file");
            }
            ImageSource all = ModelRuns.images(data, split, model, imageOptions);
            ImageSource images = all.size() <= limit ? all : all.subset(IntStream.range(0, limit).toArray());
            List<NDList> perLevel = new ArrayList<>();
            for (int l = 0; l < model.levels(); l++) {
                perLevel.add(new NDList());
            }
            try (BatchLoader loader = BatchLoader.sequential(images, Evaluation.chunkFor(images), imageOptions.workers())) {
                while (loader.hasNext()) {
                    ImageSet batch = loader.next();
                    try (NDManager step = manager.newSubManager()) {
                        NDList codes = model.encodeLevels(batch.toImages(step));
                        for (int l = 0; l < codes.size(); l++) {
                            codes.get(l).attach(manager);
                            perLevel.get(l).add(codes.get(l));
                        }
                    }
                }
            }
            List<String> names = new ArrayList<>();
            List<NDArray> arrays = new ArrayList<>();
            for (int l = 0; l < model.levels(); l++) {
                NDList parts = perLevel.get(l);
                arrays.add(parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts));
                names.add(model.levelName(l));
            }
            if (npz) {
                Npy.writeNpz(out, names, arrays);
            } else {
                Npy.write(out, arrays.get(0));
            }
            StringBuilder shapes = new StringBuilder();
            for (int l = 0; l < arrays.size(); l++) {
                shapes.append(l == 0 ? "" : ", ").append(names.get(l)).append(' ').append(arrays.get(l).getShape());
            }
            System.out.println("wrote " + out + ": int64 codes " + shapes);
        }
        return 0;
    }
}
