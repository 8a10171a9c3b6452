package org.vqvae.core.djl;

import java.util.Arrays;

/**
 * The code maps of one image, one integer map per level, bottom (finest) level first: what a
 * model directory's {@code Image -> CodeMaps} predictor returns and its {@code CodeMaps -> Image}
 * predictor takes. A VQ-VAE has one level, a VQ-VAE-2 two or more.
 *
 * <p>An immutable value (arrays are copied in and out). Not to be confused with {@code
 * org.vqvae.prior.CodeMaps}, the storage of whole code-map data sets that priors train on.
 */
public final class CodeMaps {

    private final int[][][] levels;

    private CodeMaps(int[][][] levels) {
        this.levels = levels;
    }

    /**
     * Makes the code maps of one image.
     *
     * @param levels one {@code [height][width]} map per level, bottom first; rows of equal length
     * @return the code maps
     * @throws IllegalArgumentException if there is no level, or a map is empty or ragged
     */
    public static CodeMaps of(int[][]... levels) {
        if (levels == null || levels.length == 0) {
            throw new IllegalArgumentException("code maps need at least one level");
        }
        int[][][] copy = new int[levels.length][][];
        for (int l = 0; l < levels.length; l++) {
            int[][] map = levels[l];
            if (map == null || map.length == 0 || map[0] == null || map[0].length == 0) {
                throw new IllegalArgumentException("level " + l + " is an empty code map");
            }
            copy[l] = new int[map.length][];
            for (int y = 0; y < map.length; y++) {
                if (map[y] == null || map[y].length != map[0].length) {
                    throw new IllegalArgumentException("level " + l + " is not rectangular: row " + y + " has "
                            + (map[y] == null ? 0 : map[y].length) + " codes, row 0 has " + map[0].length);
                }
                copy[l][y] = map[y].clone();
            }
        }
        return new CodeMaps(copy);
    }

    /** Number of levels (1 for a VQ-VAE). */
    public int levels() {
        return levels.length;
    }

    /**
     * Returns a copy of one level's map.
     *
     * @param level 0 = bottom
     * @return {@code [height][width]} codes
     */
    public int[][] level(int level) {
        int[][] map = levels[checked(level)];
        int[][] copy = new int[map.length][];
        for (int y = 0; y < map.length; y++) {
            copy[y] = map[y].clone();
        }
        return copy;
    }

    /**
     * Returns the shape of one level's map.
     *
     * @param level 0 = bottom
     * @return {@code {height, width}}
     */
    public int[] shape(int level) {
        int[][] map = levels[checked(level)];
        return new int[] {map.length, map[0].length};
    }

    /**
     * Returns one level's codes row after row, without copying them twice.
     *
     * @param level 0 = bottom
     * @return {@code height * width} codes
     */
    long[] flat(int level) {
        int[][] map = levels[checked(level)];
        int w = map[0].length;
        long[] out = new long[map.length * w];
        for (int y = 0; y < map.length; y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = map[y][x];
            }
        }
        return out;
    }

    private int checked(int level) {
        if (level < 0 || level >= levels.length) {
            throw new IndexOutOfBoundsException("level " + level + " of " + levels.length);
        }
        return level;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CodeMaps other && Arrays.deepEquals(levels, other.levels);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(levels);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CodeMaps[");
        for (int l = 0; l < levels.length; l++) {
            int[] s = shape(l);
            sb.append(l == 0 ? "" : ", ").append(s[0]).append('x').append(s[1]);
        }
        return sb.append(" (bottom first)]").toString();
    }
}
