package org.vqvae.core.data;

import java.io.IOException;

/**
 * Some images of another source, in a given order (a held-out split, an evenly spaced sample).
 *
 * @param source the source viewed
 * @param indices the source's images this view holds
 */
record SubsetSource(ImageSource source, int[] indices) implements ImageSource {

    SubsetSource {
        for (int i : indices) {
            if (i < 0 || i >= source.size()) {
                throw new IllegalArgumentException("subset index " + i + " outside [0, " + source.size() + ")");
            }
        }
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int channels() {
        return source.channels();
    }

    @Override
    public int height() {
        return source.height();
    }

    @Override
    public int width() {
        return source.width();
    }

    @Override
    public int label(int index) {
        return source.label(indices[index]);
    }

    @Override
    public void read(int index, byte[] dst, int offset) throws IOException {
        source.read(indices[index], dst, offset);
    }

    @Override
    public String describe(int index) {
        return source.describe(indices[index]);
    }
}
