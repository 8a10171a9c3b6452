package org.vqvae.core.data;

import java.io.IOException;

/**
 * An indexed collection of labelled images of one size, read one image at a time: the first layer
 * of the data pipeline (an index of items and how to decode each). Sources that live in memory
 * (IDX, CIFAR-10, the embedded sets) copy; image folders decode a file; shards read a memory-mapped
 * slice. Nothing here holds more than one image at a time, so a source may be far larger than
 * memory. {@link BatchLoader} turns a source into batches.
 *
 * <p>Implementations must allow {@link #read} from several threads at once.
 */
public interface ImageSource {

    /** Number of images. */
    int size();

    /** C, the channels of every image. */
    int channels();

    /** H, the height of every image. */
    int height();

    /** W, the width of every image. */
    int width();

    /**
     * Returns the class label of an image (reading no pixels).
     *
     * @param index the image, in {@code [0, size())}
     * @return the label
     */
    int label(int index);

    /**
     * Reads one image's unsigned 8-bit pixels, {@code [C, H, W]} row-major, into {@code dst} at
     * {@code offset}.
     *
     * @param index the image, in {@code [0, size())}
     * @param dst destination of {@code C * H * W} bytes
     * @param offset where the image starts in {@code dst}
     * @throws IOException if the image cannot be read or decoded
     */
    void read(int index, byte[] dst, int offset) throws IOException;

    /**
     * Names an image for messages: its file, or its position in the set.
     *
     * @param index the image
     * @return a short description
     */
    default String describe(int index) {
        return "image #" + index;
    }

    /** Bytes of one image, {@code C * H * W}. */
    default int imageBytes() {
        return channels() * height() * width();
    }

    /**
     * Returns the number of classes: the largest label plus one (reads every label, no pixels).
     *
     * @return the class count
     */
    default int numClasses() {
        int max = -1;
        for (int i = 0; i < size(); i++) {
            max = Math.max(max, label(i));
        }
        return max + 1;
    }

    /**
     * Reads images into an in-memory set, which must be small: a batch, a grid's images.
     *
     * @param indices the images, in order
     * @return their pixels and labels
     * @throws IOException if an image cannot be read
     */
    default ImageSet gather(int[] indices) throws IOException {
        int per = imageBytes();
        byte[] px = new byte[Math.multiplyExact(indices.length, per)];
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            // read before label: a source that replaces an unreadable image relabels it on read
            read(indices[i], px, i * per);
            labels[i] = label(indices[i]);
        }
        return new ImageSet(px, labels, indices.length, channels(), height(), width());
    }

    /**
     * Reads images {@code [from, to)} into an in-memory set, which must be small.
     *
     * @param from the first image
     * @param to the image after the last
     * @return their pixels and labels
     * @throws IOException if an image cannot be read
     */
    default ImageSet gather(int from, int to) throws IOException {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return gather(idx);
    }

    /**
     * Returns a view of some of this source's images.
     *
     * @param indices the images of this source that the view holds, in its order
     * @return the view
     */
    default ImageSource subset(int[] indices) {
        return new SubsetSource(this, indices);
    }

    /**
     * Returns at most {@code limit} images spread evenly through this source (all of them when it
     * holds no more), so that a capped evaluation of a class-sorted folder still sees every class.
     *
     * @param limit the most images wanted
     * @return this source, or an evenly spaced view of it
     */
    default ImageSource evenlySpaced(int limit) {
        int n = size();
        if (limit >= n) {
            return this;
        }
        int[] pick = new int[Math.max(0, limit)];
        for (int i = 0; i < pick.length; i++) {
            pick[i] = (int) ((long) i * n / pick.length);
        }
        return subset(pick);
    }

    /**
     * Describes the image size, {@code CxHxW}.
     *
     * @return the size as text
     */
    default String shapeText() {
        return channels() + "x" + height() + "x" + width();
    }
}
