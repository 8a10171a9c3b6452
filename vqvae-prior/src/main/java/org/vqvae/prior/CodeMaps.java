package org.vqvae.prior;

import java.io.IOException;
import java.nio.file.Path;

/**
 * N code maps of one size, read map by map: held in memory, or memory-mapped from a {@code .npy}
 * file far larger than memory (ImageNet's bottom level holds 5 billion codes).
 */
public interface CodeMaps {

    /** N, the number of maps. */
    int count();

    /** H, the height of every map. */
    int height();

    /** W, the width of every map. */
    int width();

    /**
     * Copies one map's {@code H * W} codes, row-major, into {@code dst}.
     *
     * @param map the map, in {@code [0, count())}
     * @param dst the destination
     * @param offset where the map starts in {@code dst}
     */
    void read(int map, long[] dst, int offset);

    /** Where the maps live, for messages: a file, or "memory". */
    String source();

    /** Whether the maps are held in memory, so that scanning all of them is cheap. */
    boolean inMemory();

    /** Codes per map, {@code H * W}. */
    default int mapSize() {
        return height() * width();
    }

    /**
     * Copies consecutive maps into a new array, which must be small.
     *
     * @param from the first map
     * @param n how many maps
     * @return {@code n * H * W} codes, row-major
     */
    default long[] read(int from, int n) {
        int per = mapSize();
        long[] out = new long[Math.multiplyExact(n, per)];
        for (int i = 0; i < n; i++) {
            read(from + i, out, i * per);
        }
        return out;
    }

    /**
     * Returns maps held in memory.
     *
     * @param codes {@code [N, H, W]} row-major codes
     * @param height H
     * @param width W
     * @return the maps, backed by {@code codes}
     */
    static CodeMaps of(long[] codes, int height, int width) {
        return new ArrayCodeMaps(codes, height, width);
    }

    /**
     * Memory-maps a {@code [N, H, W]} {@code .npy} file of integer codes (any of
     * {@link org.vqvae.core.io.NpyType}'s types).
     *
     * @param file the file
     * @return the maps, read from the file as they are asked for
     * @throws IOException if the file is missing, malformed, or not 3-D
     */
    static CodeMaps open(Path file) throws IOException {
        return MappedCodeMaps.open(file);
    }
}
