package org.vqvae.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.util.JsonUtils;

import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.Evaluation;
import org.vqvae.prior.CodeExtraction;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vqvae extract-codes}: both splits' code maps and labels, for training a prior. */
@Command(name = "extract-codes", mixinStandardHelpOptions = true,
        description = "Encode the train and test splits: writes DIR/{train,test}_{codes,labels}.npy (a VQ-VAE-2:"
                + " DIR/{train,test}_LEVEL_codes.npy for each level, e.g. top and bottom) and DIR/meta.json.")
final class ExtractCodesCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "VQ-VAE or VQ-VAE-2 run directory.")
    Path modelDir;

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "embedded", description = "Images (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--val-data", paramLabel = "SPEC",
            description = "Held-out images for the test split instead of the data's own split (as train --val-data);"
                    + " every image of a folder or shards then goes to the train split.")
    String valData;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory.")
    Path out;

    @Mixin ImageOptions imageOptions;
    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        engine.start();
        try (NDManager manager = NDManager.newBaseManager()) {
            CodeModel model = Checkpoint.loadAny(modelDir, manager);
            DataSpec.Splits<ImageSource> splits = ModelRuns.splits(data, valData, model, imageOptions);
            Files.createDirectories(out);
            // written as they are encoded: memory does not grow with the number of images
            CodeExtraction.extract(model, splits.train(), out, "train", manager, imageOptions.workers());
            CodeExtraction.extract(model, splits.test(), out, "test", manager, imageOptions.workers());
            int levels = model.levels();
            JsonObject meta = new JsonObject();
            meta.addProperty("num_classes", Math.max(splits.train().numClasses(), splits.test().numClasses()));
            Shape in = model.inputShape(1);
            meta.addProperty("image_dims", in.get(1) * in.get(2) * in.get(3));
            meta.addProperty("test_mse", Evaluation.of(model, splits.test(), manager,
                    Evaluation.chunkFor(splits.test()), imageOptions.workers()).mse());
            meta.addProperty("model", modelDir.toAbsolutePath().toString());
            meta.addProperty("data", data);
            if (valData != null) {
                meta.addProperty("val_data", valData);
            }
            describe(meta, model, 0); // the bottom level, as a one-level model has it
            StringBuilder shapes = new StringBuilder();
            if (levels > 1) {
                JsonArray names = new JsonArray();
                for (int l = 0; l < levels; l++) {
                    String name = model.levelName(l);
                    names.add(name);
                    JsonObject level = new JsonObject();
                    describe(level, model, l);
                    meta.add("level_" + name, level);
                    shapes.append(l == 0 ? " (" : ", ").append(name).append(' ').append(model.codeSize(l)[0])
                            .append('x').append(model.codeSize(l)[1]);
                }
                shapes.append(')');
                meta.add("levels", names);
            }
            AtomicFiles.writeString(out.resolve("meta.json"), JsonUtils.GSON_PRETTY.toJson(meta) + "\n");
            System.out.printf("wrote %s: %d train and %d test images' code maps%s%n", out, splits.train().size(),
                    splits.test().size(), shapes);
        }
        return 0;
    }

    private static void describe(JsonObject o, CodeModel model, int level) {
        o.addProperty("num_codes", model.numCodes(level));
        o.addProperty("height", model.codeSize(level)[0]);
        o.addProperty("width", model.codeSize(level)[1]);
    }
}
