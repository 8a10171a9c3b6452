package org.vqvae.cli;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.BatchLoader;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.io.Npy;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.io.NpyWriter;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.Evaluation;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

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
            // each level streams into its own .npy; a VQ-VAE-2's are then packed into the .npz
            Path tmp = Files.createTempDirectory(out.toAbsolutePath().getParent(), "." + out.getFileName() + ".tmp");
            List<String> names = new ArrayList<>();
            List<Path> files = new ArrayList<>();
            List<NpyWriter> writers = new ArrayList<>();
            try {
                for (int l = 0; l < model.levels(); l++) {
                    int[] hw = model.codeSize(l);
                    names.add(model.levelName(l));
                    files.add(npz ? tmp.resolve(model.levelName(l) + ".npy") : out);
                    writers.add(NpyWriter.open(files.get(l), NpyType.I8, images.size(), hw[0], hw[1]));
                }
                try (BatchLoader loader = BatchLoader.sequential(images, Evaluation.chunkFor(images),
                        imageOptions.workers())) {
                    while (loader.hasNext()) {
                        ImageSet batch = loader.next();
                        try (NDManager step = manager.newSubManager()) {
                            NDList codes = model.encodeLevels(batch.toImages(step));
                            for (int l = 0; l < codes.size(); l++) {
                                writers.get(l).append(codes.get(l));
                            }
                        }
                    }
                }
                for (NpyWriter w : writers) {
                    w.commit();
                }
                if (npz) {
                    Npy.packNpz(out, names, files);
                }
            } finally {
                for (NpyWriter w : writers) {
                    w.close();
                }
                AtomicFiles.deleteTree(tmp);
            }
            StringBuilder shapes = new StringBuilder();
            for (int l = 0; l < model.levels(); l++) {
                int[] hw = model.codeSize(l);
                shapes.append(l == 0 ? "" : ", ").append(names.get(l)).append(" (").append(images.size()).append(", ")
                        .append(hw[0]).append(", ").append(hw[1]).append(')');
            }
            System.out.println("wrote " + out + ": int64 codes " + shapes);
        }
        return 0;
    }
}
