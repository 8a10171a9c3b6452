package org.vqvae.prior;

/**
 * Code maps held in one array.
 *
 * @param codes {@code [N, H, W]} row-major codes
 * @param height H
 * @param width W
 */
record ArrayCodeMaps(long[] codes, int height, int width) implements CodeMaps {

    /** Validates the sizes. */
    ArrayCodeMaps {
        if (height < 0 || width < 0 || (height * width == 0 ? codes.length != 0 : codes.length % (height * width) != 0)) {
            throw new IllegalArgumentException(codes.length + " codes do not make whole " + height + "x" + width + " maps");
        }
    }

    @Override
    public int count() {
        return mapSize() == 0 ? 0 : codes.length / mapSize();
    }

    @Override
    public void read(int map, long[] dst, int offset) {
        int per = mapSize();
        System.arraycopy(codes, map * per, dst, offset, per);
    }

    @Override
    public String source() {
        return "memory";
    }

    @Override
    public boolean inMemory() {
        return true;
    }
}
