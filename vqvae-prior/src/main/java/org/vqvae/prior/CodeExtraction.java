package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.BatchLoader;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.io.NpyWriter;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.train.Evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes labelled images into labelled code maps with a trained VQ-VAE: in memory for small sets,
 * or streamed to {@code .npy} files for sets of any size.
 */
public final class CodeExtraction {

    private CodeExtraction() {}

    /**
     * Encodes every image.
     *
     * @param model the trained VQ-VAE
     * @param images labelled images of the model's size
     * @param manager a manager for temporaries
     * @return the code maps with the images' labels
     * @throws IOException if an image cannot be read
     */
    public static CodeSet encode(VqVae model, ImageSource images, NDManager manager) throws IOException {
        return encodeLevels(model, images, manager)[0];
    }

    /**
     * Encodes every image to one labelled code set per level, bottom first.
     *
     * @param model the trained VQ-VAE or VQ-VAE-2
     * @param images labelled images of the model's size
     * @param manager a manager for temporaries
     * @return the code maps of each level with the images' labels
     */
    public static CodeSet[] encodeLevels(CodeModel model, ImageSource images, NDManager manager)
            throws IOException {
        int levels = model.levels();
        int n = images.size();
        long[][] codes = new long[levels][];
        for (int l = 0; l < levels; l++) {
            codes[l] = new long[Math.multiplyExact(n, model.codeSize(l)[0] * model.codeSize(l)[1])];
        }
        long[] labels = new long[n];
        int from = 0;
        try (BatchLoader loader = BatchLoader.sequential(images, Evaluation.chunkFor(images), 0)) {
            while (loader.hasNext()) {
                ImageSet batch = loader.next();
                try (NDManager m = manager.newSubManager()) {
                    NDList c = model.encodeLevels(batch.toImages(m));
                    for (int l = 0; l < levels; l++) {
                        int per = model.codeSize(l)[0] * model.codeSize(l)[1];
                        long[] values = checkShape(c.get(l), batch.count(), model.codeSize(l), l).toLongArray();
                        System.arraycopy(values, 0, codes[l], from * per, values.length);
                    }
                }
                for (int i = 0; i < batch.count(); i++) {
                    labels[from + i] = batch.labels()[i];
                }
                from += batch.count();
            }
        }
        CodeSet[] sets = new CodeSet[levels];
        for (int l = 0; l < levels; l++) {
            sets[l] = new CodeSet(codes[l], labels, model.codeSize(l)[0], model.codeSize(l)[1]);
        }
        return sets;
    }

    /**
     * Encodes every image of a source, chunk by chunk, writing as it goes: each level's
     * {@code PREFIX_LEVEL_codes.npy} (a one-level model: {@code PREFIX_codes.npy}) as {@code <u2}
     * when the level has at most 65536 codes (else {@code <i4}), and {@code PREFIX_labels.npy} as
     * {@code <i4}. Files appear only once complete. Memory does not grow with the number of images.
     *
     * @param model the trained VQ-VAE or VQ-VAE-2
     * @param images labelled images of the model's size
     * @param dir the output directory
     * @param prefix {@code train} or {@code test}
     * @param manager a manager for temporaries
     * @throws IOException if an image cannot be read or a file written
     */
    public static void extract(CodeModel model, ImageSource images, Path dir, String prefix, NDManager manager)
            throws IOException {
        extract(model, images, dir, prefix, manager, BatchLoader.defaultWorkers());
    }

    /**
     * Encodes every image of a source as {@link #extract(CodeModel, ImageSource, Path, String,
     * NDManager)} does, with a given number of decoding threads.
     *
     * @param model the trained VQ-VAE or VQ-VAE-2
     * @param images labelled images of the model's size
     * @param dir the output directory
     * @param prefix {@code train} or {@code test}
     * @param manager a manager for temporaries
     * @param workers threads decoding images ahead of the model
     * @throws IOException if an image cannot be read or a file written
     */
    public static void extract(CodeModel model, ImageSource images, Path dir, String prefix, NDManager manager,
            int workers) throws IOException {
        int levels = model.levels();
        int n = images.size();
        List<NpyWriter> writers = new ArrayList<>();
        try {
            for (int l = 0; l < levels; l++) {
                int[] hw = model.codeSize(l);
                NpyType type = model.numCodes(l) <= 1 << 16 ? NpyType.U2 : NpyType.I4;
                Path file = dir.resolve(CodeSet.codesFile(prefix, levels == 1 ? null : model.levelName(l)));
                writers.add(NpyWriter.open(file, type, n, hw[0], hw[1]));
            }
            NpyWriter labels = NpyWriter.open(dir.resolve(CodeSet.labelsFile(prefix)), NpyType.I4, n);
            writers.add(labels);
            try (BatchLoader loader = BatchLoader.sequential(images, Evaluation.chunkFor(images), workers)) {
                while (loader.hasNext()) {
                    ImageSet batch = loader.next();
                    try (NDManager m = manager.newSubManager()) {
                        NDList c = model.encodeLevels(batch.toImages(m));
                        for (int l = 0; l < levels; l++) {
                            writers.get(l).append(checkShape(c.get(l), batch.count(), model.codeSize(l), l));
                        }
                    }
                    long[] lab = new long[batch.count()];
                    for (int i = 0; i < lab.length; i++) {
                        lab[i] = batch.labels()[i];
                    }
                    labels.append(lab, 0, lab.length);
                }
            }
            for (NpyWriter w : writers) {
                w.commit();
            }
        } finally {
            for (NpyWriter w : writers) {
                w.close(); // deletes what was not committed
            }
        }
    }

    private static NDArray checkShape(NDArray codes, int n, int[] hw, int level) {
        long[] s = codes.getShape().getShape();
        if (s.length != 3 || s[0] != n || s[1] != hw[0] || s[2] != hw[1]) {
            // the model's declared code size must match what it encodes: the files' shapes were written first
            throw new IllegalStateException("level " + level + " encodes " + codes.getShape() + ", not [" + n + ", "
                    + hw[0] + ", " + hw[1] + "]");
        }
        return codes;
    }

    /**
     * Bits per image dimension of the whole model: the prior's code NLL plus the decoder's
     * reconstruction term under a Gaussian of variance MSE, discretised to 256 pixel levels,
     * divided by the image's dimensions:
     *
     * <pre>
     *   bits/dim = ( h w b + C H W ( log2(2 pi e mse) / 2 + log2 255 ) ) / (C H W)
     * </pre>
     *
     * with b the prior's bits per code, h x w the code map, C x H x W the image and mse the
     * held-out reconstruction MSE in the [0, 1] pixel scale.
     *
     * @param bitsPerCode the prior's held-out bits per code
     * @param codePositions h * w
     * @param imageDims C * H * W
     * @param mse held-out reconstruction MSE
     * @return bits per dimension
     */
    public static double bitsPerDim(double bitsPerCode, int codePositions, int imageDims, double mse) {
        double reconstruction = 0.5 * Math.log(2 * Math.PI * Math.E * mse) / Math.log(2) + Math.log(255) / Math.log(2);
        return (codePositions * bitsPerCode + imageDims * reconstruction) / imageDims;
    }
}
