package org.vqvae.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.io.NpyWriter;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes labelled images into labelled code maps with a trained VQ-VAE: in memory for small sets,
 * or streamed to {@code .npy} files for sets of any size.
 */
public final class CodeExtraction {

    private static final int CHUNK = 500;
    /** Images per forward pass when streaming to files. */
    private static final int STREAM_CHUNK = 256;

    private CodeExtraction() {}

    /**
     * Encodes every image.
     *
     * @param model the trained VQ-VAE
     * @param images labelled images of the model's size
     * @param manager a manager for temporaries
     * @return the code maps with the images' labels
     */
    public static CodeSet encode(VqVae model, ImageSet images, NDManager manager) {
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
    public static CodeSet[] encodeLevels(CodeModel model, ImageSet images, NDManager manager) {
        int levels = model.levels();
        long[][] codes = new long[levels][];
        int[] h = new int[levels];
        int[] w = new int[levels];
        for (int from = 0; from < images.count(); from += CHUNK) {
            int to = Math.min(images.count(), from + CHUNK);
            try (NDManager m = manager.newSubManager()) {
                NDList c = model.encodeLevels(images.slice(from, to).toImages(m));
                for (int l = 0; l < levels; l++) {
                    if (codes[l] == null) {
                        h[l] = (int) c.get(l).getShape().get(1);
                        w[l] = (int) c.get(l).getShape().get(2);
                        codes[l] = new long[images.count() * h[l] * w[l]];
                    }
                    System.arraycopy(c.get(l).toLongArray(), 0, codes[l], from * h[l] * w[l], (to - from) * h[l] * w[l]);
                }
            }
        }
        long[] labels = new long[images.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = images.labels()[i];
        }
        CodeSet[] sets = new CodeSet[levels];
        for (int l = 0; l < levels; l++) {
            sets[l] = new CodeSet(codes[l] == null ? new long[0] : codes[l], labels, h[l], w[l]);
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
            for (int from = 0; from < n; from += STREAM_CHUNK) {
                int[] idx = new int[Math.min(STREAM_CHUNK, n - from)];
                long[] lab = new long[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = from + i;
                    lab[i] = images.label(from + i);
                }
                try (NDManager m = manager.newSubManager()) {
                    NDList c = model.encodeLevels(images.gather(idx).toImages(m));
                    for (int l = 0; l < levels; l++) {
                        writers.get(l).append(checkShape(c.get(l), idx.length, model.codeSize(l), l));
                    }
                }
                labels.append(lab, 0, lab.length);
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
