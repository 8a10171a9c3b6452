package org.vqvae.core.data;

/**
 * Turns a JPEG's raw decoded samples (before any colour conversion) into the RGB that Pillow on
 * libjpeg gives. Which colour space the samples are in is read from the markers with libjpeg's
 * rules; YCbCr uses libjpeg's fixed-point tables. Four-channel files follow Pillow, which ignores
 * embedded ICC profiles: YCCK becomes CMYK as in libjpeg, every CMYK file is taken as Adobe-inverted
 * (Pillow assumes so unconditionally) and converted with Pillow's naive formula.
 */
final class JpegColour {

    /** What the decoded samples of a JPEG hold. */
    enum Space { GREY, YCBCR, RGB, CMYK, YCCK }

    private static final int SCALE_BITS = 16;
    private static final int ONE_HALF = 1 << (SCALE_BITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];
    /** Saturates to 0..255 by lookup, as libjpeg's range limit does: index {@code CLAMP_ZERO + v}. */
    private static final byte[] CLAMP = new byte[3 * 256];
    private static final int CLAMP_ZERO = 256;

    static {
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALE_BITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALE_BITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
        for (int i = 0; i < CLAMP.length; i++) {
            CLAMP[i] = (byte) Math.max(0, Math.min(255, i - CLAMP_ZERO));
        }
    }

    private JpegColour() {}

    private static int fix(double v) {
        return (int) (v * (1 << SCALE_BITS) + 0.5);
    }

    /**
     * What libjpeg learns from a JPEG's markers before the first scan.
     *
     * @param jfif whether a JFIF APP0 marker came
     * @param adobeTransform the first Adobe APP14 marker's transform flag, or -1 without one
     * @param componentIds the frame's component ids, or null without a frame header
     * @param icc whether an ICC profile (APP2) is embedded
     */
    record Markers(boolean jfif, int adobeTransform, int[] componentIds, boolean icc) {

        /**
         * Scans the markers of a whole JPEG file up to its first scan.
         *
         * @param data the whole file
         * @return what they say
         */
        static Markers scan(byte[] data) {
            boolean jfif = false;
            boolean icc = false;
            int adobeTransform = -1;
            int[] ids = null;
            int p = 2; // after SOI
            while (p + 4 <= data.length) {
                if ((data[p] & 0xFF) != 0xFF) {
                    p++;
                    continue;
                }
                int marker = data[p + 1] & 0xFF;
                if (marker == 0xFF) {
                    p++; // fill byte
                    continue;
                }
                if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                    p += 2;
                    continue;
                }
                if (marker == 0xDA || marker == 0xD9) {
                    break; // the scan starts: every marker that matters came before it
                }
                int len = ((data[p + 2] & 0xFF) << 8) | (data[p + 3] & 0xFF);
                int body = p + 4;
                int end = Math.min(data.length, p + 2 + len);
                if (marker == 0xE0 && !jfif && startsWith(data, body, end, "JFIF\0")) {
                    jfif = true;
                } else if (marker == 0xE2 && startsWith(data, body, end, "ICC_PROFILE\0")) {
                    icc = true;
                } else if (marker == 0xEE && adobeTransform < 0 && end - body >= 12
                        && startsWith(data, body, end, "Adobe")) {
                    adobeTransform = data[body + 11] & 0xFF;
                } else if (isFrame(marker) && end - body >= 6) {
                    int n = data[body + 5] & 0xFF;
                    ids = new int[n];
                    for (int i = 0; i < n && body + 6 + 3 * i < end; i++) {
                        ids[i] = data[body + 6 + 3 * i] & 0xFF;
                    }
                }
                p += 2 + len;
            }
            return new Markers(jfif, adobeTransform, ids, icc);
        }

        /**
         * Whether the decoder's own conversion to RGB gives Pillow's pixels: a plain JFIF YCbCr
         * file. libjpeg then converts with the very tables Pillow's libjpeg uses, and neither
         * the JDK nor TwelveMonkeys has an ICC profile or Adobe marker to act on differently.
         */
        boolean plainYCbCr() {
            return jfif && adobeTransform < 0 && !icc && componentIds != null && componentIds.length == 3;
        }
    }

    /**
     * Reads the colour space of a JPEG's samples from its markers as libjpeg guesses it: JFIF
     * means YCbCr, else Adobe's transform flag, else the component ids.
     *
     * @param m the file's markers
     * @param bands the number of sample bands the decoder returned
     */
    static Space space(Markers m, int bands) {
        if (bands == 1) {
            return Space.GREY;
        }
        if (bands == 4) {
            return m.adobeTransform() < 0 || m.adobeTransform() == 0 ? Space.CMYK : Space.YCCK;
        }
        if (m.jfif()) {
            return Space.YCBCR;
        }
        if (m.adobeTransform() >= 0) {
            return m.adobeTransform() == 0 ? Space.RGB : Space.YCBCR;
        }
        int[] ids = m.componentIds();
        boolean rgbIds = ids != null && ids.length == 3 && ids[0] == 'R' && ids[1] == 'G' && ids[2] == 'B';
        return rgbIds ? Space.RGB : Space.YCBCR;
    }

    private static boolean isFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static boolean startsWith(byte[] data, int from, int end, String tag) {
        if (end - from < tag.length()) {
            return false;
        }
        for (int i = 0; i < tag.length(); i++) {
            if (data[from + i] != tag.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Converts a whole image's raw samples to RGB.
     *
     * @param space what the samples hold (not {@link Space#GREY})
     * @param s the samples, {@code bands} per pixel, row-major and without padding
     * @param bands 3, or 4 for CMYK and YCCK
     * @param pixels how many pixels {@code s} holds
     * @return RGB, 3 bytes per pixel: {@code s} itself, overwritten, when it has 3 bands
     */
    static byte[] toRgb(Space space, byte[] s, int bands, int pixels) {
        switch (space) {
            case RGB -> {
                return s;
            }
            case YCBCR -> {
                // in place: each pixel's samples are read before they are overwritten
                for (int i = 0, j = 0; i < pixels; i++, j += 3) {
                    int y = s[j] & 0xFF;
                    int cb = s[j + 1] & 0xFF;
                    int cr = s[j + 2] & 0xFF;
                    s[j] = CLAMP[CLAMP_ZERO + y + CR_R[cr]];
                    s[j + 1] = CLAMP[CLAMP_ZERO + y + ((CB_G[cb] + CR_G[cr]) >> SCALE_BITS)];
                    s[j + 2] = CLAMP[CLAMP_ZERO + y + CB_B[cb]];
                }
                return s;
            }
            case CMYK, YCCK -> {
                byte[] rgb = new byte[pixels * 3];
                for (int i = 0, j = 0; i < pixels; i++, j += bands) {
                    int c = s[j] & 0xFF;
                    int m = s[j + 1] & 0xFF;
                    int yel = s[j + 2] & 0xFF;
                    if (space == Space.YCCK) {
                        // libjpeg stores 255 - RGB(YCC) as C, M, Y: the inverted convention CMYK files use
                        int y = c;
                        c = 255 - (CLAMP[CLAMP_ZERO + y + CR_R[yel]] & 0xFF);
                        int g = CLAMP[CLAMP_ZERO + y + ((CB_G[m] + CR_G[yel]) >> SCALE_BITS)] & 0xFF;
                        int b = CLAMP[CLAMP_ZERO + y + CB_B[m]] & 0xFF;
                        m = 255 - g;
                        yel = 255 - b;
                    }
                    cmykToRgb(c, m, yel, s[j + 3] & 0xFF, rgb, 3 * i);
                }
                return rgb;
            }
            default -> throw new IllegalArgumentException("no RGB conversion for " + space);
        }
    }

    /**
     * Pillow's naive CMYK to RGB on Adobe-inverted samples: Pillow first inverts them (ink amounts
     * c = 255 - stored), then R = (255 - k) - c * (255 - k) / 255 with its rounded division.
     */
    private static void cmykToRgb(int cStored, int mStored, int yStored, int kStored, byte[] rgb, int out) {
        int nk = kStored; // 255 - k where k = 255 - kStored
        rgb[out] = (byte) (nk - mulDiv255(255 - cStored, nk));
        rgb[out + 1] = (byte) (nk - mulDiv255(255 - mStored, nk));
        rgb[out + 2] = (byte) (nk - mulDiv255(255 - yStored, nk));
    }

    /** a * b / 255, rounded, for a and b in 0..255: Pillow's exact integer form. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }
}
