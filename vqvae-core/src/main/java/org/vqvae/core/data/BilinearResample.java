package org.vqvae.core.data;

/**
 * Pillow's BILINEAR resampling (the one torchvision 0.14 uses on PIL images), evaluated only over
 * a window of the output so that a centre crop of an extreme aspect ratio never materialises the
 * whole resized image. Each output pixel is a triangle-filter average whose support widens with the
 * downscale factor (antialiasing). To give Pillow's bytes exactly, the weights are normalised in
 * double, turned into 22-bit fixed point with round-half-away, and the image is resampled
 * horizontally first, rounded to 8 bits, then vertically. That order is kept even where the other
 * would be cheaper, since the intermediate rounding decides the last bit.
 *
 * <p>For speed the horizontal pass reads the interleaved source once per tap for all channels and
 * writes one plane per channel, so the vertical pass runs over contiguous rows (a loop the JIT
 * vectorises) and its result is already the CHW layout callers want. Integer sums are exact in any
 * order, so the loop order does not change a bit.
 */
final class BilinearResample {

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private BilinearResample() {}

    /**
     * Fixed-point weights of a run of output positions along one axis: output {@code i} sums
     * {@code count[i]} inputs from {@code first[i]} with weights {@code k[i * taps ...]}.
     */
    private record Weights(int[] first, int[] count, int taps, int[] k) {
        int n() {
            return first.length;
        }
    }

    /**
     * Resizes {@code src} to {@code outW x outH} and returns the window at ({@code left}, {@code top})
     * of {@code winW x winH}, as CHW bytes.
     */
    static byte[] resizeWindow(DecodedImage src, int outW, int outH, int left, int top, int winW, int winH) {
        boolean horizontal = outW != src.width();
        boolean vertical = outH != src.height();
        Weights vw = vertical ? weights(src.height(), outH, top, winH) : null;
        // the source rows the vertical pass needs (or the window's own rows, without one)
        int rowFirst = vertical ? vw.first[0] : top;
        int rowCount = vertical ? vw.first[winH - 1] + vw.count[winH - 1] - rowFirst : winH;
        byte[] planes = horizontal
                ? horizontal(src, weights(src.width(), outW, left, winW), rowFirst, rowCount)
                : planarColumns(src, left, winW, rowFirst, rowCount);
        return vertical ? vertical(planes, src.channels(), winW, rowCount, vw, rowFirst) : planes;
    }

    /** Pillow's triangle weights for output positions {@code from .. from+n-1} of {@code outSize}. */
    private static Weights weights(int inSize, int outSize, int from, int n) {
        // Pillow takes the box width as a float; exact for any realistic size
        double scale = (double) (float) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // the triangle's support is 1 at scale 1
        double inv = 1.0 / filterScale;
        int taps = Math.min(inSize, (int) Math.ceil(support) * 2 + 1);
        int[] first = new int[n];
        int[] count = new int[n];
        int[] k = new int[n * taps];
        double[] w = new double[taps];
        for (int i = 0; i < n; i++) {
            double center = (from + i + 0.5) * scale;
            int lo = Math.max(0, (int) (center - support + 0.5));
            int hi = Math.min(inSize, (int) (center + support + 0.5));
            int len = hi - lo;
            double sum = 0;
            for (int x = 0; x < len; x++) {
                w[x] = triangle((x + lo - center + 0.5) * inv);
                sum += w[x];
            }
            for (int x = 0; x < len; x++) {
                double v = sum != 0.0 ? w[x] / sum : w[x];
                k[i * taps + x] = (int) (v < 0 ? v * (1 << PRECISION_BITS) - 0.5 : v * (1 << PRECISION_BITS) + 0.5);
            }
            first[i] = lo;
            count[i] = len;
        }
        return new Weights(first, count, taps, k);
    }

    private static double triangle(double x) {
        x = Math.abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /** Rounds a fixed-point sum (already offset by one half) to a byte, saturating; branch-free. */
    private static byte clip8(int acc) {
        return (byte) Math.min(255, Math.max(0, acc >> PRECISION_BITS));
    }

    /** Resamples rows {@code rowFirst ..} of the interleaved source into one plane per channel. */
    private static byte[] horizontal(DecodedImage src, Weights w, int rowFirst, int rowCount) {
        int c = src.channels();
        int stride = src.width() * c;
        int outW = w.n();
        byte[] out = new byte[c * rowCount * outW];
        int y = 0;
        if (c == 3) {
            // two rows at once: each weight is loaded once for six sums
            for (; y + 1 < rowCount; y += 2) {
                rgbRows(src.pixels(), (rowFirst + y) * stride, stride, w, out, y * outW, rowCount * outW);
            }
        }
        for (; y < rowCount; y++) {
            oneRow(src.pixels(), (rowFirst + y) * stride, c, w, out, y * outW, rowCount * outW);
        }
        return out;
    }

    /** Two adjacent RGB rows from {@code base} into output rows {@code o} and {@code o + outW} of each plane. */
    private static void rgbRows(byte[] in, int base, int stride, Weights w, byte[] out, int o, int plane) {
        int[] first = w.first;
        int[] count = w.count;
        int[] k = w.k;
        int taps = w.taps;
        int outW = first.length;
        for (int x = 0; x < outW; x++, o++) {
            int r0 = HALF;
            int g0 = HALF;
            int b0 = HALF;
            int r1 = HALF;
            int g1 = HALF;
            int b1 = HALF;
            for (int t = 0, p = base + 3 * first[x], kt = x * taps, n = count[x]; t < n; t++, p += 3) {
                int wt = k[kt + t];
                r0 += (in[p] & 0xFF) * wt;
                g0 += (in[p + 1] & 0xFF) * wt;
                b0 += (in[p + 2] & 0xFF) * wt;
                r1 += (in[p + stride] & 0xFF) * wt;
                g1 += (in[p + stride + 1] & 0xFF) * wt;
                b1 += (in[p + stride + 2] & 0xFF) * wt;
            }
            out[o] = clip8(r0);
            out[plane + o] = clip8(g0);
            out[2 * plane + o] = clip8(b0);
            out[o + outW] = clip8(r1);
            out[plane + o + outW] = clip8(g1);
            out[2 * plane + o + outW] = clip8(b1);
        }
    }

    /** One row of {@code c} interleaved channels from {@code base} into output row {@code o} of each plane. */
    private static void oneRow(byte[] in, int base, int c, Weights w, byte[] out, int o, int plane) {
        int[] first = w.first;
        int[] count = w.count;
        int[] k = w.k;
        int taps = w.taps;
        for (int x = 0; x < first.length; x++, o++) {
            for (int ch = 0; ch < c; ch++) {
                int acc = HALF;
                for (int t = 0, p = base + c * first[x] + ch, kt = x * taps, n = count[x]; t < n; t++, p += c) {
                    acc += (in[p] & 0xFF) * k[kt + t];
                }
                out[ch * plane + o] = clip8(acc);
            }
        }
    }

    /** Resamples each plane of {@code rows} (rows {@code rowFirst ..} of the source) vertically. */
    private static byte[] vertical(byte[] rows, int c, int width, int rowCount, Weights w, int rowFirst) {
        int outH = w.n();
        byte[] out = new byte[c * outH * width];
        int[] acc = new int[width];
        for (int ch = 0; ch < c; ch++) {
            int inPlane = ch * rowCount * width;
            int outPlane = ch * outH * width;
            for (int y = 0; y < outH; y++) {
                java.util.Arrays.fill(acc, HALF);
                int base = inPlane + (w.first[y] - rowFirst) * width;
                for (int t = 0, kt = y * w.taps; t < w.count[y]; t++, base += width) {
                    int wt = w.k[kt + t];
                    for (int x = 0; x < width; x++) {
                        acc[x] += (rows[base + x] & 0xFF) * wt;
                    }
                }
                int o = outPlane + y * width;
                for (int x = 0; x < width; x++) {
                    out[o + x] = clip8(acc[x]);
                }
            }
        }
        return out;
    }

    /** Columns {@code left .. left+winW-1} of some source rows, one plane per channel. */
    private static byte[] planarColumns(DecodedImage src, int left, int winW, int rowFirst, int rowCount) {
        int c = src.channels();
        byte[] in = src.pixels();
        int plane = rowCount * winW;
        byte[] out = new byte[c * plane];
        for (int y = 0; y < rowCount; y++) {
            int p = ((rowFirst + y) * src.width() + left) * c;
            if (c == 1) {
                System.arraycopy(in, p, out, y * winW, winW);
                continue;
            }
            for (int x = 0, o = y * winW; x < winW; x++, o++, p += 3) {
                out[o] = in[p];
                out[plane + o] = in[p + 1];
                out[2 * plane + o] = in[p + 2];
            }
        }
        return out;
    }
}
