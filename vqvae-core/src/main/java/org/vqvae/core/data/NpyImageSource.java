package org.vqvae.core.data;

import org.vqvae.core.io.MappedNpy;
import org.vqvae.core.io.NpyType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Images in one NumPy file ({@code --data npy:FILE}), memory-mapped and read an image at a time, so
 * the file may be larger than memory (and than 2 GiB).
 *
 * <p>The file holds C-ordered uint8 images {@code [N, H, W, C]} with C = 1 or 3 (NumPy's and PIL's
 * layout) or {@code [N, H, W]} (greyscale); each is transposed to this project's {@code [C, H, W]}
 * on read. Labels, when there are any, sit beside it as {@code STEM_labels.npy} (integers
 * {@code [N]}, any of the integer dtypes, none negative); without that file every image is class 0.
 */
public final class NpyImageSource implements ImageSource {

    private final MappedNpy npy;
    private final int count;
    private final int channels;
    private final int height;
    private final int width;
    private final int[] labels;

    private NpyImageSource(MappedNpy npy, int count, int channels, int height, int width, int[] labels) {
        this.npy = npy;
        this.count = count;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.labels = labels;
    }

    /**
     * Returns where the labels of an image file are looked for: {@code x.npy} has {@code x_labels.npy}.
     *
     * @param images the image file
     * @return the labels file beside it
     */
    public static Path labelsFile(Path images) {
        String name = images.getFileName().toString();
        String stem = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        return images.resolveSibling(stem + "_labels.npy");
    }

    /**
     * Opens an image file and, if it exists, its labels file ({@link #labelsFile}).
     *
     * @param file the {@code .npy} file
     * @return the source
     * @throws IOException if a file is missing, not a {@code .npy}, truncated, or of another dtype or shape
     */
    public static NpyImageSource open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such .npy file");
        }
        MappedNpy npy;
        try {
            npy = MappedNpy.open(file);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (npy: images are uint8 [N, H, W, C] or [N, H, W])", e);
        }
        long[] shape = npy.shape();
        String found = npy.type().descr() + " " + Arrays.toString(shape);
        if (npy.type() != NpyType.U1) {
            throw new IOException(file + " holds " + found + ": images must be uint8 (|u1) [N, H, W, C] or [N, H, W]");
        }
        if (shape.length != 3 && shape.length != 4) {
            throw new IOException(file + " holds " + found + ": images must be [N, H, W, C] (C = 1 or 3) or [N, H, W]");
        }
        long c = shape.length == 4 ? shape[3] : 1;
        if (c != 1 && c != 3) {
            throw new IOException(file + " holds " + found + ": the last axis is channels, which must be 1 or 3"
                    + " (images are [N, H, W, C]; a [N, C, H, W] file needs np.transpose(x, (0, 2, 3, 1)))");
        }
        if (shape[0] < 1 || shape[1] < 1 || shape[2] < 1) {
            throw new IOException(file + " holds " + found + ": no images");
        }
        if (shape[0] > Integer.MAX_VALUE || shape[1] * shape[2] * c > Integer.MAX_VALUE - 8) {
            throw new IOException(file + " holds " + found + ": too many images or images too large");
        }
        int n = (int) shape[0];
        return new NpyImageSource(npy, n, (int) c, (int) shape[1], (int) shape[2], readLabels(labelsFile(file), n));
    }

    private static int[] readLabels(Path file, int n) throws IOException {
        int[] out = new int[n];
        if (!Files.exists(file)) {
            return out;
        }
        MappedNpy labels = MappedNpy.open(file);
        if (labels.shape().length != 1 || labels.count() != n) {
            throw new IOException(file + " holds " + labels.type().descr() + " " + Arrays.toString(labels.shape())
                    + " labels, expected [" + n + "] (one per image)");
        }
        long[] values = labels.readAll();
        for (int i = 0; i < n; i++) {
            if (values[i] < 0 || values[i] > Integer.MAX_VALUE) {
                throw new IOException(file + " holds label " + values[i] + " (image " + i
                        + "): labels must be in [0, 2^31)");
            }
            out[i] = (int) values[i];
        }
        return out;
    }

    /** The image file. */
    public Path file() {
        return npy.file();
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void read(int index, byte[] dst, int offset) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("image " + index + " outside [0, " + count + ")");
        }
        int per = imageBytes();
        long at = (long) index * per;
        if (channels == 1) {
            npy.readBytes(at, dst, offset, per); // [H, W, 1] and [H, W] are already [1, H, W]
            return;
        }
        byte[] hwc = new byte[per];
        npy.readBytes(at, hwc, 0, per);
        int plane = height * width;
        for (int p = 0, i = 0; p < plane; p++) {
            for (int c = 0; c < channels; c++) {
                dst[offset + c * plane + p] = hwc[i++];
            }
        }
    }

    @Override
    public String describe(int index) {
        return npy.file() + " image " + index;
    }
}
