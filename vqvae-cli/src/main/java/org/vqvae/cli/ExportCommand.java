package org.vqvae.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.io.torch.ModelWeights;
import org.vqvae.core.io.torch.SafeTensors;
import org.vqvae.core.io.torch.StateDict;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Checkpoint;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code vqvae export}: a model directory to safetensors, under rosinality's state_dict names and
 * layouts for an imported rosinality model (so PyTorch's {@code load_state_dict} takes it), under
 * this project's parameter names otherwise; the configuration rides in the metadata.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a model's weights as safetensors (rosinality's tensor names for a rosinality model;"
                + " the configuration in the metadata, key " + ModelWeights.CONFIG_KEY + ").")
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--format", paramLabel = "safetensors", defaultValue = "safetensors",
            description = "Output format (only ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "Run or checkpoint directory.")
    Path modelDir;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The .safetensors file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("safetensors")) {
            throw new IllegalArgumentException("--format must be safetensors, got " + format);
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            CodeModel model = Checkpoint.loadAny(modelDir, manager);
            StateDict weights = ModelWeights.export(model, model.configJson());
            AtomicFiles.write(out, os -> SafeTensors.write(os, weights));
            System.out.println("wrote " + out + ": " + weights.tensors().size() + " tensors");
        }
        return 0;
    }
}
