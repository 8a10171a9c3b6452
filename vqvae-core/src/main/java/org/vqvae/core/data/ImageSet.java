package org.vqvae.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;

import org.vqvae.core.io.HostArrays;

/**
 * A labelled set of 8-bit images held on the host, {@code [N, C, H, W]} row-major: a small data
 * set (IDX, CIFAR-10, the embedded sets) or one batch of a larger {@link ImageSource}.
 *
 * @param pixels unsigned 8-bit pixels
 * @param labels one class label per image
 * @param count N
 * @param channels C
 * @param height H
 * @param width W
 */
public record ImageSet(byte[] pixels, int[] labels, int count, int channels, int height, int width)
        implements ImageSource {

    /** Validates the sizes. */
    public ImageSet {
        if ((long) count * channels * height * width != pixels.length || labels.length != count) {
            throw new IllegalArgumentException("image set sizes do not match: " + count + " labels vs "
                    + labels.length + ", " + pixels.length + " pixels for " + count + "x" + channels + "x"
                    + height + "x" + width);
        }
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void read(int index, byte[] dst, int offset) {
        int per = channels * height * width;
        System.arraycopy(pixels, index * per, dst, offset, per);
    }

    @Override
    public ImageSet gather(int from, int to) {
        return slice(from, to);
    }

    /**
     * Returns images {@code [from, to)} as a new set.
     *
     * @param from first index
     * @param to end index, exclusive
     * @return the slice
     */
    public ImageSet slice(int from, int to) {
        int per = channels * height * width;
        byte[] px = java.util.Arrays.copyOfRange(pixels, from * per, to * per);
        return new ImageSet(px, java.util.Arrays.copyOfRange(labels, from, to), to - from, channels, height, width);
    }

    /**
     * Returns the images as float32 {@code [N, C, H, W]} with pixels scaled to [0, 1] then
     * centred to [-0.5, 0.5], as the paper's pipelines do.
     *
     * @param manager the manager of the array
     * @return the images
     */
    public NDArray toImages(NDManager manager) {
        return HostArrays.images(manager, pixels, 0, new Shape(count, channels, height, width));
    }

    /**
     * Returns this set through DJL's Dataset API: data {@code [N, C, H, W]} float32 in
     * [-0.5, 0.5], labels {@code [N]} float32.
     *
     * @param manager the manager owning the arrays
     * @param batchSize batch size for {@code getData}
     * @param shuffle whether {@code getData} shuffles
     * @return the dataset
     */
    public ArrayDataset toDataset(NDManager manager, int batchSize, boolean shuffle) {
        float[] lab = new float[count];
        for (int i = 0; i < count; i++) {
            lab[i] = labels[i];
        }
        return new ArrayDataset.Builder()
                .setData(toImages(manager))
                .optLabels(manager.create(lab))
                .setSampling(batchSize, shuffle)
                .build();
    }

    /**
     * Returns the error of always predicting this set's per-pixel mean image for every image of
     * another set, in the [-0.5, 0.5] pixel scale: a model that learns nothing cannot beat it.
     *
     * @param heldOut the images to predict
     * @return the baseline MSE
     */
    public double meanImageMse(ImageSet heldOut) {
        try {
            return MeanImage.baselineMse(this, heldOut, Integer.MAX_VALUE, 0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // in memory: cannot happen
        }
    }

    @Override
    public int numClasses() {
        int max = -1;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        return max + 1;
    }
}
