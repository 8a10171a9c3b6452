package org.vqvae.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;
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
        description = "Encode the train and test splits: writes DIR/{train,test}_{codes,labels}.npy and DIR/meta.json.")
final class ExtractCodesCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "VQ-VAE run or checkpoint directory.")
    Path modelDir;

    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "embedded", description = "Images (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory.")
    Path out;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        engine.start();
        try (NDManager manager = NDManager.newBaseManager()) {
            VqVae model = Checkpoint.load(modelDir, manager);
            VqVaeConfig c = model.getConfig();
            DataSpec spec = DataSpec.parse(data);
            DataSpec.Splits splits = spec.load();
            ModelRuns.images(data, "test", c); // checks the image size against the model
            Files.createDirectories(out);
            CodeExtraction.encode(model, splits.train(), manager).write(out, "train", manager);
            CodeExtraction.encode(model, splits.test(), manager).write(out, "test", manager);
            Evaluation ev = Evaluation.of(model, splits.test(), manager, ModelRuns.CHUNK);
            JsonObject meta = new JsonObject();
            meta.addProperty("num_codes", c.numCodes());
            meta.addProperty("num_classes", Math.max(splits.train().numClasses(), splits.test().numClasses()));
            meta.addProperty("height", c.codeHeight());
            meta.addProperty("width", c.codeWidth());
            meta.addProperty("image_dims", c.imageChannels() * c.imageHeight() * c.imageWidth());
            meta.addProperty("test_mse", ev.mse());
            meta.addProperty("model", modelDir.toAbsolutePath().toString());
            meta.addProperty("data", spec.toString());
            AtomicFiles.writeString(out.resolve("meta.json"), JsonUtils.GSON_PRETTY.toJson(meta) + "\n");
            System.out.printf("wrote %s: %d train and %d test code maps of %dx%d (K=%d)%n", out,
                    splits.train().count(), splits.test().count(), c.codeHeight(), c.codeWidth(), c.numCodes());
        }
        return 0;
    }
}
