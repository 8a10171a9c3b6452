package org.vqvae.core.data;

import ai.djl.basicdataset.cv.classification.ImageFolder;
import ai.djl.modality.cv.transform.CenterCrop;
import ai.djl.modality.cv.transform.ResizeShort;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.dataset.Record;
import ai.djl.translate.TranslateException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads an image folder (one sub-folder per class, JPEG or PNG: ImageNet's layout) through DJL's
 * {@link ImageFolder}, resizing the short side to the model's size and centre-cropping a square.
 * Every tenth image (by sorted path within the folder listing) is held out. An unreadable image
 * is skipped and counted, or, with {@code strict}, stops the load with its name.
 */
public final class ImageFolderData {

    private ImageFolderData() {}

    /**
     * Loads a folder.
     *
     * @param dir the root folder
     * @param size the side of the square images
     * @param strict fail on the first unreadable image instead of skipping it
     * @return train and held-out images, and the number skipped
     * @throws IOException if the folder is missing or holds no readable image
     */
    public static DataSpec.Splits read(Path dir, int size, boolean strict) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "image folder does not exist");
        }
        if (size < 1) {
            throw new IllegalArgumentException("--image-size must be >= 1, got " + size);
        }
        ImageFolder folder = ImageFolder.builder()
                .setRepositoryPath(dir)
                .optMaxDepth(8)
                .setSampling(1, false)
                .build();
        try {
            folder.prepare();
        } catch (TranslateException e) {
            throw new IOException(dir + ": " + e.getMessage(), e);
        }
        int n = Math.toIntExact(folder.size());
        if (n == 0) {
            throw new IOException(dir + " holds no images in class sub-folders (JPEG or PNG)");
        }
        int per = 3 * size * size;
        // Dataset.get returns the decoded image as is: the pipeline's transforms only run in getData
        ResizeShort resize = new ResizeShort(size);
        CenterCrop crop = new CenterCrop(size, size);
        ByteBuffers train = new ByteBuffers(per);
        ByteBuffers test = new ByteBuffers(per);
        int skipped = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; i < n; i++) {
                try (NDManager m = manager.newSubManager()) {
                    Record r = folder.get(m, i);
                    NDArray img = crop.transform(resize.transform(r.getData().head())); // [size, size, 3]
                    if (!img.getShape().equals(new ai.djl.ndarray.types.Shape(size, size, 3))) {
                        throw new IOException("image #" + i + " came out as " + img.getShape());
                    }
                    byte[] chw = img.clip(0, 255).round().toType(DataType.UINT8, false).transpose(2, 0, 1).toByteArray();
                    int label = (int) r.getLabels().head().toType(DataType.INT64, false).getLong();
                    (i % 10 == 9 ? test : train).add(chw, label);
                } catch (IOException | RuntimeException e) {
                    if (strict) {
                        throw new IOException("unreadable image #" + i + " in " + dir + ": " + e.getMessage(), e);
                    }
                    skipped++;
                }
            }
        }
        if (train.count() == 0 || test.count() == 0) {
            throw new IOException(dir + " has too few readable images to hold out a test split (" + (n - skipped)
                    + " readable)");
        }
        return new DataSpec.Splits(train.toImageSet(size), test.toImageSet(size), skipped);
    }

    /** Growable pixel and label buffers. */
    private static final class ByteBuffers {
        private final int per;
        private byte[] pixels = new byte[0];
        private int[] labels = new int[0];
        private int count;

        ByteBuffers(int per) {
            this.per = per;
        }

        void add(byte[] image, int label) {
            if (count == labels.length) {
                int cap = Math.max(16, count * 2);
                pixels = java.util.Arrays.copyOf(pixels, cap * per);
                labels = java.util.Arrays.copyOf(labels, cap);
            }
            System.arraycopy(image, 0, pixels, count * per, per);
            labels[count++] = label;
        }

        int count() {
            return count;
        }

        ImageSet toImageSet(int size) {
            return new ImageSet(java.util.Arrays.copyOf(pixels, count * per), java.util.Arrays.copyOf(labels, count),
                    count, 3, size, size);
        }
    }
}
