package org.vqvae.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.vqvae.core.io.ImageGrid;
import org.vqvae.core.io.MappedNpy;
import org.vqvae.core.io.Npy;
import org.vqvae.core.io.NpyWriter;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.train.Checkpoint;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code vqvae decode}: integer code maps back to images, as a PNG grid or, for an {@code --out} ending
 * in {@code .npy}, as float32 {@code [N, C, H, W]} in the model's own pixel range ([-0.5, 0.5], not
 * clipped), written chunk by chunk under a temporary name and moved into place when complete.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Decode integer code maps to a PNG grid, or to float32 [N, C, H, W] in the model's pixel range"
                + " [-0.5, 0.5] for an --out ending in .npy: codes .npy [N, h, w] for a VQ-VAE, .npz with one array"
                + " per level (as encode writes it) for a VQ-VAE-2.")
final class DecodeCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "Run or checkpoint directory.")
    Path modelDir;

    @Option(names = "--codes", paramLabel = "FILE", required = true, description = "Code maps (.npy or .npz).")
    Path codesFile;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Output PNG grid, or .npy of float32 [N, C, H, W] images.")
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
            CodeModel model = Checkpoint.loadAny(modelDir, manager);
            // a .npy is memory-mapped and only the maps shown are read: code files may be huge
            NDList arrays = codesFile.getFileName().toString().endsWith(".npy")
                    ? new NDList(firstMaps(codesFile, limit, manager)) : Npy.read(manager, codesFile);
            NDList levels = new NDList();
            if (model.levels() == 1) {
                if (arrays.size() != 1) {
                    throw new IllegalArgumentException(codesFile + " holds " + arrays.size()
                            + " arrays; expected one code map array");
                }
                levels.add(arrays.get(0));
            } else {
                for (int l = 0; l < model.levels(); l++) {
                    NDArray a = arrays.get(model.levelName(l));
                    if (a == null) {
                        throw new IllegalArgumentException(codesFile + " has no '" + model.levelName(l)
                                + "' array: a VQ-VAE-2 needs one code map per level (.npz as encode writes it)");
                    }
                    levels.add(a);
                }
            }
            long n = -1;
            for (int l = 0; l < levels.size(); l++) {
                NDArray codes = levels.get(l);
                Shape s = codes.getShape();
                long h = model.codeSize(l)[0];
                long w = model.codeSize(l)[1];
                String what = model.levels() == 1 ? codesFile.toString() : codesFile + " (" + model.levelName(l) + ")";
                if (s.dimension() != 3 || s.get(1) != h || s.get(2) != w) {
                    throw new IllegalArgumentException(what + " has shape " + s + " but this model decodes [N, "
                            + h + ", " + w + "] code maps");
                }
                if (codes.getDataType().isFloating() || codes.getDataType() == DataType.BOOLEAN) {
                    throw new IllegalArgumentException(what + " holds " + codes.getDataType()
                            + " values; code maps must be integers");
                }
                if (s.get(0) == 0 || (n >= 0 && s.get(0) != n)) {
                    throw new IllegalArgumentException(what + " holds " + s.get(0) + " code maps"
                            + (n >= 0 ? ", other levels " + n : ""));
                }
                n = s.get(0);
                quantizerCheck(model, l, codes);
            }
            long count = Math.min(limit, n);
            NDList head = new NDList();
            for (NDArray a : levels) {
                head.add(a.get("0:" + count));
            }
            if (out.getFileName().toString().endsWith(".npy")) {
                writeNpy(model, head, count, manager);
                System.out.println("wrote " + out + ": " + count + " decoded images, float32 [N, C, H, W] in the model's"
                        + " range (pixel / 255 - 0.5, not clipped)");
                return 0;
            }
            NDArray images = model.decodeLevels(head);
            ImageGrid.write(out, images, columns);
            System.out.println("wrote " + out + ": " + count + " decoded images");
        }
        return 0;
    }

    /** Decodes {@link #NPY_CHUNK} maps at a time and appends them to a float32 .npy. */
    private void writeNpy(CodeModel model, NDList levels, long count, NDManager manager) throws java.io.IOException {
        Shape in = model.inputShape(1);
        try (NpyWriter w = NpyWriter.float32(out, count, in.get(1), in.get(2), in.get(3))) {
            for (long from = 0; from < count; from += NPY_CHUNK) {
                long to = Math.min(count, from + NPY_CHUNK);
                try (NDManager step = manager.newSubManager()) {
                    NDList part = new NDList();
                    for (NDArray a : levels) {
                        part.add(a.get(from + ":" + to));
                    }
                    part.attach(step);
                    w.append(model.decodeLevels(part));
                }
            }
            w.commit();
        }
    }

    /** Maps decoded at once into a .npy: memory stays that of one chunk, whatever --limit is. */
    static final int NPY_CHUNK = 64;

    /** The first {@code limit} entries along the first axis of a .npy of integers, as int64. */
    private static NDArray firstMaps(Path file, int limit, NDManager manager) throws java.io.IOException {
        MappedNpy npy = MappedNpy.open(file);
        long[] shape = npy.shape().clone();
        if (shape.length == 0) {
            throw new IllegalArgumentException(file + " holds a scalar; expected code maps [N, H, W]");
        }
        shape[0] = Math.min(limit, shape[0]);
        long per = shape[0] == 0 ? 0 : npy.count() / npy.shape()[0];
        long[] values = new long[Math.toIntExact(shape[0] * per)];
        npy.read(0, values, 0, values.length);
        return manager.create(values, new Shape(shape));
    }

    private static void quantizerCheck(CodeModel model, int level, NDArray codes) {
        if (model instanceof VqVae2 v) {
            v.getQuantizer(level).checkCodes(codes);
        } else if (model instanceof VqVae v) {
            v.getQuantizer().checkCodes(codes);
        }
        // an imported model checks its codes when it looks them up
    }
}
