package org.vqvae.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.io.torch.ImportOptions;
import org.vqvae.core.io.torch.ImportedModel;
import org.vqvae.core.io.torch.ModelWeights;
import org.vqvae.core.io.torch.SafeTensors;
import org.vqvae.core.io.torch.StateDict;
import org.vqvae.core.io.torch.StateDictLoader;
import org.vqvae.core.io.torch.StateDictLoaders;
import org.vqvae.core.io.torch.TorchCheckpoint;
import org.vqvae.core.io.torch.WeightFormatException;
import org.vqvae.core.train.Checkpoint;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code vqvae import}: a PyTorch {@code state_dict} ({@code torch.save} .pt, read without Python) or a
 * safetensors file to an ordinary model directory. The file is read and checked in full before
 * anything is written; the directory is written beside its place and moved there when complete.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import foreign weights as a model directory: --format rosinality-vqvae2 (or"
                + " rosinality-pixelsnail-top|bottom) reads the .pt that torch.save(model.state_dict()) writes, with"
                + " no Python and only a state_dict's pickle globals allowed; --format safetensors reads a file of"
                + " 'vqvae export' or a rosinality VQ-VAE-2 state_dict saved as safetensors.")
final class ImportCommand implements Callable<Integer> {

    @Option(names = "--format", paramLabel = "FORMAT", required = true,
            description = "rosinality-vqvae2, rosinality-pixelsnail-top, rosinality-pixelsnail-bottom or safetensors.")
    String format;

    @Option(names = "--checkpoint", paramLabel = "FILE", required = true, description = "The .pt or .safetensors file.")
    Path checkpoint;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Model directory to create (new or empty).")
    Path out;

    @Option(names = "--image-size", paramLabel = "N", defaultValue = "256",
            description = "Image height and width the model will see; a state_dict does not record it"
                    + " (default ${DEFAULT-VALUE}, rosinality's).")
    int imageSize;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && (!Files.isDirectory(out) || !isEmpty(out))) {
            throw new IllegalArgumentException("--out " + out + " exists and is not an empty directory");
        }
        ImportOptions options = new ImportOptions(imageSize);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            ImportedModel model;
            if (format.equals("safetensors")) {
                StateDict weights = SafeTensors.read(checkpoint);
                model = named(() -> ModelWeights.fromSafetensors(weights, options, manager));
            } else {
                StateDictLoader loader = StateDictLoaders.find(format).orElseThrow(() -> new IllegalArgumentException(
                        format.startsWith("rosinality-pixelsnail-") ? "--format " + format + " is not supported yet"
                                : "--format must be one of " + String.join(", ", StateDictLoaders.formats())
                                        + ", safetensors; got " + format));
                StateDict weights = TorchCheckpoint.read(checkpoint);
                model = named(() -> loader.load(weights, options, manager));
            }
            Path target = out.toAbsolutePath();
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".import-");
            try {
                Checkpoint.save(tmp, model.block(), model.configJson(), null, 0);
                AtomicFiles.move(tmp, target);
            } finally {
                AtomicFiles.deleteTree(tmp);
            }
            System.out.println("imported " + checkpoint + " (" + format + ", " + model.block().getParameters().size()
                    + " tensors) to " + out);
        }
        return 0;
    }

    /** A model-building step whose refusal names the file. */
    private interface Load {
        ImportedModel get() throws WeightFormatException;
    }

    private ImportedModel named(Load load) throws WeightFormatException {
        try {
            return load.get();
        } catch (WeightFormatException e) {
            throw new WeightFormatException(checkpoint + ": " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
