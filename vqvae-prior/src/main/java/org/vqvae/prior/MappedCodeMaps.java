package org.vqvae.prior;

import org.vqvae.core.io.MappedNpy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/** Code maps memory-mapped from a {@code [N, H, W]} {@code .npy} file: nothing is loaded up front. */
final class MappedCodeMaps implements CodeMaps {

    private final MappedNpy npy;
    private final int count;
    private final int height;
    private final int width;

    private MappedCodeMaps(MappedNpy npy, int count, int height, int width) {
        this.npy = npy;
        this.count = count;
        this.height = height;
        this.width = width;
    }

    static MappedCodeMaps open(Path file) throws IOException {
        MappedNpy npy = MappedNpy.open(file);
        long[] s = npy.shape();
        if (s.length != 3 || s[0] > Integer.MAX_VALUE || s[1] * s[2] > Integer.MAX_VALUE) {
            throw new IOException(file + " must hold integer code maps [N, H, W], got " + npy.type().descr() + " "
                    + Arrays.toString(s));
        }
        return new MappedCodeMaps(npy, (int) s[0], (int) s[1], (int) s[2]);
    }

    @Override
    public int count() {
        return count;
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
    public void read(int map, long[] dst, int offset) {
        if (map < 0 || map >= count) {
            throw new IndexOutOfBoundsException(npy.file() + ": map " + map + " is outside [0, " + count + ")");
        }
        int per = mapSize();
        npy.read((long) map * per, dst, offset, per);
    }

    @Override
    public String source() {
        return npy.file().toString();
    }

    @Override
    public boolean inMemory() {
        return false;
    }
}
