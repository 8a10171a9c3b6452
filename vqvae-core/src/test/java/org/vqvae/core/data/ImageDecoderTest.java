package org.vqvae.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks {@link ImageDecoder} against what Pillow 9.4 and torchvision 0.14 produce (fixtures made
 * by src/test/python/make_image_fixtures.py), plus properties that need no fixtures.
 */
class ImageDecoderTest {

    private static final String DIR = "images/";
    /**
     * Largest per-sample JPEG difference allowed: JDK 17's libjpeg 6b (under TwelveMonkeys) and
     * Debian 12's libjpeg-turbo 2.1.5 (under Pillow) agree exactly on every fixture, including
     * 4:2:0, 4:2:2, 4:4:0, 4:1:1, progressive, CMYK and YCCK.
     */
    private static final int JPEG_MAX_DIFF = 0;

    @TempDir
    Path tmp;

    /** One fixture image: its name, size, PIL mode and the crop sizes with expectations. */
    private record Fixture(String name, int width, int height, String mode, int[] sizes) {
        boolean jpeg() {
            return name.endsWith(".jpg");
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = ImageDecoderTest.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, "missing test resource " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Fixture> fixtures() {
        List<Fixture> out = new ArrayList<>();
        for (String line : new String(resource("manifest.tsv"), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split("\t");
            int[] sizes = Arrays.stream(f[4].split(",")).mapToInt(Integer::parseInt).toArray();
            out.add(new Fixture(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3], sizes));
        }
        return out;
    }

    private Path file(String name) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, resource(name));
        return p;
    }

    /** Largest and mean absolute difference. */
    private static double[] diff(byte[] a, byte[] b) {
        assertEquals(a.length, b.length, "sample count");
        long sum = 0;
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            int d = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
            sum += d;
            max = Math.max(max, d);
        }
        return new double[] {max, (double) sum / a.length};
    }

    @Test
    void decodesAsPil() throws IOException {
        for (Fixture f : fixtures()) {
            DecodedImage img = ImageDecoder.decode(file(f.name), 3);
            assertEquals(f.width, img.width(), f.name);
            assertEquals(f.height, img.height(), f.name);
            assertEquals(3, img.channels(), f.name);
            byte[] expected = resource(f.name + ".rgb");
            if (f.name.equals("grey16.png")) {
                // PIL clips 16-bit grey to 255; ImageDecoder keeps the high byte (a documented deviation)
                byte[] hi = resource("grey16.png.hi");
                byte[] rgb = new byte[hi.length * 3];
                for (int i = 0; i < rgb.length; i++) {
                    rgb[i] = hi[i / 3];
                }
                expected = rgb;
            }
            double[] d = diff(expected, img.pixels());
            System.out.printf("decode %-16s %-5s max %3.0f mean %.4f%n", f.name, f.mode, d[0], d[1]);
            assertTrue(d[0] <= (f.jpeg() ? JPEG_MAX_DIFF : 0), f.name + " differs from PIL by up to " + d[0]);
        }
    }

    @Test
    void resizeCropMatchesTorchvisionExactly() {
        for (Fixture f : fixtures()) {
            if (f.name.equals("grey16.png")) {
                continue; // PIL's input differs by design, see decodesAsPil
            }
            DecodedImage pil = new DecodedImage(f.width, f.height, 3, resource(f.name + ".rgb"));
            for (int s : f.sizes) {
                assertArrayEquals(resource(f.name + ".s" + s + ".rgb"), ImageDecoder.resizeCenterCrop(pil, s),
                        f.name + " RGB at " + s);
                assertArrayEquals(resource(f.name + ".s" + s + ".l"), ImageDecoder.resizeCenterCrop(pil.toGrey(), s),
                        f.name + " L at " + s);
            }
        }
    }

    @Test
    void readSquareMatchesPipeline() throws IOException {
        for (Fixture f : fixtures()) {
            if (f.name.equals("grey16.png")) {
                continue;
            }
            Path p = file(f.name);
            for (int s : f.sizes) {
                for (int c : new int[] {3, 1}) {
                    byte[] got = ImageDecoder.readSquare(p, s, c);
                    double[] d = diff(resource(f.name + ".s" + s + (c == 3 ? ".rgb" : ".l")), got);
                    System.out.printf("square %-16s s%-3d c%d max %3.0f mean %.4f%n", f.name, s, c, d[0], d[1]);
                    assertTrue(d[0] <= (f.jpeg() ? JPEG_MAX_DIFF : 0), f.name + " at " + s + "/" + c + ": " + d[0]);
                }
            }
        }
    }

    /** The formula make_image_fixtures.py's pattern() uses. */
    private static DecodedImage pattern(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    long v = (3L * x * x + 5L * y + 77L * c + (long) x * y + 11L * (x ^ y)) % 256;
                    px[(y * w + x) * 3 + c] = (byte) v;
                }
            }
        }
        return new DecodedImage(w, h, 3, px);
    }

    @Test
    void resizesPatternsOfManyShapesAsTorchvision() {
        for (String line : new String(resource("pattern.tsv"), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split("\t");
            int w = Integer.parseInt(f[0]);
            int h = Integer.parseInt(f[1]);
            int s = Integer.parseInt(f[2]);
            assertArrayEquals(resource("pattern_" + w + "x" + h + ".s" + s + ".rgb"),
                    ImageDecoder.resizeCenterCrop(pattern(w, h), s), w + "x" + h + " at " + s);
        }
    }

    @Test
    void everyAspectRatioGivesExactlyTheSquare() {
        Random rng = new Random(11);
        List<int[]> shapes = new ArrayList<>(List.of(new int[] {1, 1}, new int[] {1, 700}, new int[] {700, 1},
                new int[] {255, 256}, new int[] {257, 256}, new int[] {256, 255}, new int[] {256, 257},
                new int[] {500, 333}, new int[] {333, 500}, new int[] {2, 3}, new int[] {3, 2}));
        for (int i = 0; i < 60; i++) {
            shapes.add(new int[] {1 + rng.nextInt(900), 1 + rng.nextInt(900)});
        }
        for (int[] wh : shapes) {
            for (int size : new int[] {1, 7, 32, 64, 256}) {
                int[] out = ImageDecoder.resizedSize(wh[0], wh[1], size);
                assertEquals(size, Math.min(out[0], out[1]), Arrays.toString(wh));
                DecodedImage img = new DecodedImage(wh[0], wh[1], 1, new byte[wh[0] * wh[1]]);
                assertEquals(size * size, ImageDecoder.resizeCenterCrop(img, size).length,
                        wh[0] + "x" + wh[1] + " at " + size);
            }
        }
    }

    @Test
    void extremeAspectRatioResizesOnlyTheCrop() {
        // 1 x 100000 at 256 would be 256 x 25.6M pixels if the whole resized image were built
        DecodedImage strip = new DecodedImage(1, 100_000, 3, new byte[300_000]);
        assertEquals(3 * 256 * 256, ImageDecoder.resizeCenterCrop(strip, 256).length);
    }

    @Test
    void uniformColourStaysThatColour() {
        int[][] shapes = {{1, 1}, {5, 3}, {640, 480}, {333, 500}, {1, 90}, {257, 256}};
        for (int[] wh : shapes) {
            for (int size : new int[] {1, 16, 100, 300}) {
                byte[] px = new byte[wh[0] * wh[1] * 3];
                for (int i = 0; i < px.length; i++) {
                    px[i] = (byte) new int[] {200, 17, 255}[i % 3];
                }
                byte[] out = ImageDecoder.resizeCenterCrop(new DecodedImage(wh[0], wh[1], 3, px), size);
                int n = size * size;
                for (int i = 0; i < out.length; i++) {
                    assertEquals(new int[] {200, 17, 255}[i / n], out[i] & 0xFF, wh[0] + "x" + wh[1] + " at " + size);
                }
            }
        }
    }

    @Test
    void greyscaleIsPilLuma() {
        DecodedImage rgb = new DecodedImage(4, 1, 3, new byte[] {(byte) 255, (byte) 255, (byte) 255, 0, 0, 0,
                (byte) 255, 0, 0, 10, 20, 30});
        assertArrayEquals(new byte[] {(byte) 255, 0, 76, 18}, rgb.toGrey().pixels());
    }

    private void assertRefused(String name, byte[] content, String reason) {
        Path p = tmp.resolve(name);
        try {
            Files.write(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.readSquare(p, 16, 3), name);
        String msg = e.getMessage();
        System.out.println("refused: " + msg);
        assertTrue(msg.contains(p.toString()), msg);
        assertTrue(msg.toLowerCase().contains(reason), msg);
        assertFalse(msg.contains("\n"), msg);
    }

    @Test
    void refusesFilesThatAreNotImages() {
        assertRefused("empty.JPEG", new byte[0], "empty");
        assertRefused("text.JPEG", "not a picture\n".getBytes(StandardCharsets.UTF_8), "not an image");
        assertRefused("gif.JPEG", "GIF89a....".getBytes(StandardCharsets.UTF_8), "unsupported");
    }

    @Test
    void refusesTruncatedFiles() {
        byte[] jpeg = resource("rgb420.jpg");
        assertRefused("cut.JPEG", Arrays.copyOf(jpeg, jpeg.length * 2 / 3), "truncated");
        assertRefused("cut-header.JPEG", Arrays.copyOf(jpeg, 40), "corrupt");
        byte[] png = resource("odd_50x33.png");
        assertRefused("cut.png", Arrays.copyOf(png, png.length / 2), "truncated");
    }

    @Test
    void acceptsExtraneousBytesAsPilDoes() throws IOException {
        // libjpeg warns "Corrupt JPEG data: N extraneous bytes before marker"; Pillow decodes such files
        byte[] jpeg = resource("rgb420.jpg");
        byte[] junk = new byte[jpeg.length + 7];
        System.arraycopy(jpeg, 0, junk, 0, jpeg.length - 2);
        Arrays.fill(junk, jpeg.length - 2, jpeg.length + 5, (byte) 3);
        junk[junk.length - 2] = (byte) 0xFF;
        junk[junk.length - 1] = (byte) 0xD9;
        assertArrayEquals(resource("rgb420.jpg.rgb"), ImageDecoder.decode(junk, "junk.jpg", 3).pixels());
    }

    @Test
    void missingFileNamesIt() {
        Path p = tmp.resolve("nope.JPEG");
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.readSquare(p, 8, 3));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void decodesConcurrently() throws Exception {
        List<Fixture> all = fixtures();
        List<Path> paths = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (Fixture f : all) {
            Path p = file(f.name);
            paths.add(p);
            expected.add(ImageDecoder.readSquare(p, 12, 3));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int round = 0; round < 6; round++) {
                for (Path p : paths) {
                    results.add(pool.submit(() -> ImageDecoder.readSquare(p, 12, 3)));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertArrayEquals(expected.get(i % paths.size()), results.get(i).get(), paths.get(i % paths.size()).toString());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
