package org.vqvae.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.vqvae.core.io.ImageGrid;
import org.vqvae.core.io.Npy;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.Checkpoint;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vqvae decode}: integer code maps back to images, as a PNG grid. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Decode integer code maps (.npy, [N, h, w], values in [0, K)) to a PNG grid of images.")
final class DecodeCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "Run or checkpoint directory.")
    Path modelDir;

    @Option(names = "--codes", paramLabel = "FILE", required = true, description = "Code maps (.npy).")
    Path codesFile;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Output PNG.")
    Path out;

    @Option(names = "--columns", paramLabel = "N", defaultValue = "8", description = "Images per row (default ${DEFAULT-VALUE}).")
    int columns;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "64", description = "Decode at most N maps (default ${DEFAULT-VALUE}).")
    int limit;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        engine.start();
        if (columns < 1 || limit < 1) {
            throw new IllegalArgumentException("--columns and --limit must be >= 1");
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            VqVae model = Checkpoint.load(modelDir, manager);
            NDList arrays = Npy.read(manager, codesFile);
            if (arrays.size() != 1) {
                throw new IllegalArgumentException(codesFile + " holds " + arrays.size() + " arrays; expected one code map array");
            }
            NDArray codes = arrays.get(0);
            VqVaeConfig c = model.getConfig();
            Shape s = codes.getShape();
            if (s.dimension() != 3 || s.get(1) != c.codeHeight() || s.get(2) != c.codeWidth()) {
                throw new IllegalArgumentException(codesFile + " has shape " + s + " but this model decodes [N, "
                        + c.codeHeight() + ", " + c.codeWidth() + "] code maps");
            }
            if (codes.getDataType().isFloating() || codes.getDataType() == ai.djl.ndarray.types.DataType.BOOLEAN) {
                throw new IllegalArgumentException(codesFile + " holds " + codes.getDataType()
                        + " values; code maps must be integers");
            }
            if (s.get(0) == 0) {
                throw new IllegalArgumentException(codesFile + " holds no code maps");
            }
            model.getQuantizer().checkCodes(codes);
            long n = Math.min(limit, s.get(0));
            NDArray images = model.decode(codes.get("0:" + n));
            ImageGrid.write(out, images, columns);
            System.out.println("wrote " + out + ": " + n + " decoded images");
        }
        return 0;
    }
}
