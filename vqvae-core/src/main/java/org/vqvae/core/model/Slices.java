package org.vqvae.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A contiguous range of one axis as a view, through one {@code split}. In DJL 0.36 an indexed
 * {@code get(new NDIndex(":, :, a:b"))} costs about 26 µs a call on the CPU (the index string is
 * parsed, then several JNI calls), a split about 8 µs; samplers and the priors' layers take many
 * such ranges of small arrays. Gradients flow through the view as through a slice.
 */
public final class Slices {

    private Slices() {}

    /**
     * Returns {@code x} restricted to {@code [from, to)} along {@code axis}, a view in {@code x}'s
     * manager.
     *
     * @param x any array
     * @param axis the axis, non-negative
     * @param from first index kept
     * @param to one past the last index kept
     * @return the range
     */
    public static NDArray narrow(NDArray x, int axis, long from, long to) {
        long size = x.getShape().get(axis);
        if (from < 0 || to > size || from > to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") of an axis of " + size);
        }
        long[] cuts = from == 0 ? new long[] {to} : new long[] {from, to};
        NDList parts = x.split(cuts, axis);
        NDArray kept = parts.get(from == 0 ? 0 : 1);
        for (NDArray part : parts) {
            if (part != kept) {
                part.close();
            }
        }
        return kept;
    }

    /**
     * Returns index {@code i} of {@code axis}, the axis dropped: {@code x[:, ..., i, ...]}.
     *
     * @param x any array
     * @param axis the axis, non-negative
     * @param i the index
     * @return the slice, one dimension fewer
     */
    public static NDArray select(NDArray x, int axis, long i) {
        return narrow(x, axis, i, i + 1).squeeze(axis);
    }
}
