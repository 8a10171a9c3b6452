package org.vqvae.core.data;

/**
 * Pillow's BILINEAR resampling (the one torchvision 0.14 uses on PIL images), evaluated only over
 * a window of the output so that a centre crop of an extreme aspect ratio never materialises the
 * whole resized image. Each output pixel is a triangle-filter average whose support widens with the
 * downscale factor (antialiasing). To give Pillow's bytes exactly, the weights are normalised in
 * double, turned into 22-bit fixed point with round-half-away, and the image is resampled
 * horizontally first, rounded to 8 bits, then vertically.
 */
final class BilinearResample {

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private BilinearResample() {}

    /** Fixed-point weights of a run of output positions along one axis. */
    private record Weights(int[] first, int[] count, int[][] k) {}

    /**
     * Resizes {@code src} to {@code outW x outH} and returns the window at ({@code left}, {@code top})
     * of {@code winW x winH}, as HWC bytes.
     */
    static byte[] resizeWindow(DecodedImage src, int outW, int outH, int left, int top, int winW, int winH) {
        int c = src.channels();
        boolean horizontal = outW != src.width();
        boolean vertical = outH != src.height();
        byte[] rows; // the source rows the vertical pass needs, already resampled horizontally
        int rowFirst;
        int rowCount;
        Weights vw = vertical ? weights(src.height(), outH, top, winH) : null;
        if (vertical) {
            rowFirst = vw.first[0];
            rowCount = vw.first[winH - 1] + vw.count[winH - 1] - rowFirst;
        } else {
            rowFirst = top;
            rowCount = winH;
        }
        if (horizontal) {
            rows = horizontal(src, weights(src.width(), outW, left, winW), rowFirst, rowCount);
        } else {
            rows = copyColumns(src, left, winW, rowFirst, rowCount);
        }
        return vertical ? vertical(rows, winW, c, vw, rowFirst) : rows;
    }

    /** Pillow's triangle weights for output positions {@code from .. from+n-1} of {@code outSize}. */
    private static Weights weights(int inSize, int outSize, int from, int n) {
        // Pillow takes the box width as a float; exact for any realistic size
        double scale = (double) (float) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // the triangle's support is 1 at scale 1
        double inv = 1.0 / filterScale;
        int[] first = new int[n];
        int[] count = new int[n];
        int[][] k = new int[n][];
        for (int i = 0; i < n; i++) {
            double center = (from + i + 0.5) * scale;
            int lo = Math.max(0, (int) (center - support + 0.5));
            int hi = Math.min(inSize, (int) (center + support + 0.5));
            int len = hi - lo;
            double[] w = new double[len];
            double sum = 0;
            for (int x = 0; x < len; x++) {
                w[x] = triangle((x + lo - center + 0.5) * inv);
                sum += w[x];
            }
            int[] fixed = new int[len];
            for (int x = 0; x < len; x++) {
                double v = sum != 0.0 ? w[x] / sum : w[x];
                fixed[x] = (int) (v < 0 ? v * (1 << PRECISION_BITS) - 0.5 : v * (1 << PRECISION_BITS) + 0.5);
            }
            first[i] = lo;
            count[i] = len;
            k[i] = fixed;
        }
        return new Weights(first, count, k);
    }

    private static double triangle(double x) {
        x = Math.abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /** Rounds a fixed-point sum (already offset by one half) to a byte, saturating. */
    private static int clip8(int acc) {
        if (acc <= 0) {
            return 0;
        }
        return acc >= 256 << PRECISION_BITS ? 255 : acc >> PRECISION_BITS;
    }

    private static byte[] horizontal(DecodedImage src, Weights w, int rowFirst, int rowCount) {
        int c = src.channels();
        int stride = src.width() * c;
        byte[] in = src.pixels();
        int outW = w.first.length;
        byte[] out = new byte[rowCount * outW * c];
        for (int y = 0; y < rowCount; y++) {
            int rowBase = (rowFirst + y) * stride;
            for (int x = 0; x < outW; x++) {
                int[] k = w.k[x];
                int base = rowBase + w.first[x] * c;
                for (int ch = 0; ch < c; ch++) {
                    int acc = HALF;
                    for (int t = 0, p = base + ch; t < k.length; t++, p += c) {
                        acc += (in[p] & 0xFF) * k[t];
                    }
                    out[(y * outW + x) * c + ch] = (byte) clip8(acc);
                }
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] rows, int width, int c, Weights w, int rowFirst) {
        int outH = w.first.length;
        int stride = width * c;
        byte[] out = new byte[outH * stride];
        for (int y = 0; y < outH; y++) {
            int[] k = w.k[y];
            int base = (w.first[y] - rowFirst) * stride;
            for (int i = 0; i < stride; i++) {
                int acc = HALF;
                for (int t = 0, p = base + i; t < k.length; t++, p += stride) {
                    acc += (rows[p] & 0xFF) * k[t];
                }
                out[y * stride + i] = (byte) clip8(acc);
            }
        }
        return out;
    }

    private static byte[] copyColumns(DecodedImage src, int left, int winW, int rowFirst, int rowCount) {
        int c = src.channels();
        byte[] out = new byte[rowCount * winW * c];
        for (int y = 0; y < rowCount; y++) {
            System.arraycopy(src.pixels(), ((rowFirst + y) * src.width() + left) * c, out, y * winW * c, winW * c);
        }
        return out;
    }
}
