package org.vqvae.bench;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes an ImageNet-layout folder of JPEG photos for loader benchmarks: one sub-folder per class,
 * files of ImageNet's usual sizes and aspect ratios (mostly 500x375 and 375x500, some 500x333,
 * 640x480, a few up to 1600x1200), JPEG quality 90 with 4:2:0 chroma, about 2% greyscale and 1%
 * CMYK files as ImageNet has. The content is random crops and rescalings of given source photos,
 * or, without any, synthesised texture (gradients, shapes and noise), which JPEG compresses to
 * about the bytes per pixel of a photo. Image {@code i} depends only on the seed and {@code i}.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.PhotoFolder \
 *     --out runs/photos --count 512 [--photos /usr/lib/python3/dist-packages/skimage/data] [--seed 1]
 * </pre>
 */
public final class PhotoFolder {

    /** Output sizes (width x height) and how often each is drawn, roughly ImageNet's mix. */
    private static final int[][] SIZES = {
        {500, 375, 40}, {375, 500, 15}, {500, 333, 12}, {333, 500, 5}, {500, 400, 5}, {500, 500, 5},
        {640, 480, 6}, {480, 640, 2}, {800, 600, 4}, {1024, 768, 3}, {1280, 960, 2}, {1600, 1200, 1},
    };
    private static final int CLASSES = 10;

    private PhotoFolder() {}

    /**
     * Writes the folder.
     *
     * @param args {@code --out DIR --count N [--photos DIR] [--seed S]}
     * @throws IOException on failure
     */
    public static void main(String[] args) throws IOException {
        Path out = Path.of("runs/photos");
        int count = 512;
        Path photos = null;
        long seed = 1;
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("usage: PhotoFolder [--out DIR] [--count N] [--photos DIR] [--seed S]");
        }
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[i + 1]);
                case "--count" -> count = Integer.parseInt(args[i + 1]);
                case "--photos" -> photos = Path.of(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<BufferedImage> sources = photos == null ? List.of() : readSources(photos);
        write(out, count, sources, seed);
        System.out.println("wrote " + count + " JPEGs to " + out + " (" + (sources.isEmpty() ? "synthesised"
                : "from " + sources.size() + " photos in " + photos) + ")");
    }

    /**
     * Reads the source photos of a folder (its PNG and JPEG files, not sub-folders): those of at
     * least 256 pixels on the short side, as RGB.
     *
     * @param dir the folder
     * @return the photos, by file name
     * @throws IOException if the folder cannot be listed or holds no such photo
     */
    public static List<BufferedImage> readSources(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)"))
                    .sorted().toList();
        }
        List<BufferedImage> out = new ArrayList<>();
        for (Path f : files) {
            BufferedImage img;
            try {
                img = ImageIO.read(f.toFile());
            } catch (IOException | RuntimeException e) {
                continue; // not every file of a sample folder is a readable photo
            }
            if (img != null && Math.min(img.getWidth(), img.getHeight()) >= 256) {
                BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
                Graphics2D g = rgb.createGraphics();
                g.drawImage(img, 0, 0, null);
                g.dispose();
                out.add(rgb);
            }
        }
        if (out.isEmpty()) {
            throw new IOException(dir + " holds no PNG or JPEG photo of at least 256 pixels on the short side");
        }
        return out;
    }

    /**
     * Writes {@code count} JPEGs into {@code out/class_K/}, in parallel.
     *
     * @param out the folder (created)
     * @param count how many images
     * @param sources photos to crop from, or empty to synthesise
     * @param seed the seed
     * @throws IOException if a file cannot be written
     */
    public static void write(Path out, int count, List<BufferedImage> sources, long seed) throws IOException {
        for (int c = 0; c < CLASSES; c++) {
            Files.createDirectories(out.resolve(className(c)));
        }
        try {
            IntStream.range(0, count).parallel().forEach(i -> {
                Random rnd = new Random(seed * 1_000_003L + i);
                int[] size = drawSize(rnd);
                BufferedImage img = sources.isEmpty() ? synthesise(size[0], size[1], rnd)
                        : crop(sources.get(rnd.nextInt(sources.size())), size[0], size[1], rnd);
                double kind = rnd.nextDouble();
                Path file = out.resolve(className(i % CLASSES)).resolve(String.format(Locale.ROOT, "img_%06d.JPEG", i));
                try {
                    if (kind < 0.02) {
                        writeJpeg(grey(img), null, file);
                    } else if (kind < 0.03) {
                        writeJpeg(null, cmyk(img), file);
                    } else {
                        writeJpeg(img, null, file);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String className(int c) {
        return String.format(Locale.ROOT, "class_%02d", c);
    }

    private static int[] drawSize(Random rnd) {
        int total = 0;
        for (int[] s : SIZES) {
            total += s[2];
        }
        int pick = rnd.nextInt(total);
        for (int[] s : SIZES) {
            pick -= s[2];
            if (pick < 0) {
                return s;
            }
        }
        throw new AssertionError();
    }

    /** A random crop of the photo with the output's aspect ratio, scaled to it, maybe mirrored, re-lit. */
    static BufferedImage crop(BufferedImage photo, int w, int h, Random rnd) {
        double aspect = (double) w / h;
        double maxW = Math.min(photo.getWidth(), photo.getHeight() * aspect);
        double scale = Math.sqrt(0.35 + 0.65 * rnd.nextDouble());
        int cw = Math.max(1, (int) (maxW * scale));
        int ch = Math.max(1, (int) (cw / aspect));
        int x = rnd.nextInt(photo.getWidth() - cw + 1);
        int y = rnd.nextInt(photo.getHeight() - ch + 1);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        boolean mirror = rnd.nextBoolean();
        g.drawImage(photo, mirror ? w : 0, 0, mirror ? 0 : w, h, x, y, x + cw, y + ch, null);
        g.dispose();
        // a different exposure and a little sensor noise, so that crops of one photo differ in every pixel
        addNoise(img, 0.85 + 0.3 * rnd.nextDouble(), 5.0, rnd);
        return img;
    }

    /** Gradients, shapes and noise: texture at several scales, as photos have. */
    static BufferedImage synthesise(int w, int h, Random rnd) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, colour(rnd), rnd.nextInt(w), h, colour(rnd)));
        g.fillRect(0, 0, w, h);
        int shapes = 8 + rnd.nextInt(24);
        for (int s = 0; s < shapes; s++) {
            double sw = w * (0.05 + 0.5 * rnd.nextDouble());
            double sh = h * (0.05 + 0.5 * rnd.nextDouble());
            double x = rnd.nextDouble() * w - sw / 2;
            double y = rnd.nextDouble() * h - sh / 2;
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.4f + 0.6f * rnd.nextFloat()));
            g.setPaint(rnd.nextBoolean() ? colour(rnd)
                    : new GradientPaint((float) x, (float) y, colour(rnd), (float) (x + sw), (float) (y + sh), colour(rnd)));
            switch (rnd.nextInt(4)) {
                case 0 -> g.fill(new Ellipse2D.Double(x, y, sw, sh));
                case 1 -> g.fill(new Rectangle2D.Double(x, y, sw, sh));
                case 2 -> {
                    Polygon p = new Polygon();
                    for (int k = 3 + rnd.nextInt(4); k > 0; k--) {
                        p.addPoint((int) (x + rnd.nextDouble() * sw), (int) (y + rnd.nextDouble() * sh));
                    }
                    g.fill(p);
                }
                default -> {
                    g.setStroke(new BasicStroke(1 + rnd.nextInt(6)));
                    g.drawLine((int) x, (int) y, (int) (x + sw), (int) (y + sh));
                }
            }
        }
        g.dispose();
        addNoise(img, 1.0, 6.0 + 8.0 * rnd.nextDouble(), rnd);
        return img;
    }

    private static Color colour(Random rnd) {
        return new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256));
    }

    /** Scales every sample by {@code gain} and adds Gaussian noise of the given deviation. */
    private static void addNoise(BufferedImage img, double gain, double sigma, Random rnd) {
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            int v = 0;
            for (int shift = 16; shift >= 0; shift -= 8) {
                double s = ((px[i] >> shift) & 0xFF) * gain + rnd.nextGaussian() * sigma;
                v = (v << 8) | (int) Math.max(0, Math.min(255, Math.round(s)));
            }
            px[i] = v;
        }
    }

    private static BufferedImage grey(BufferedImage rgb) {
        BufferedImage g = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D gr = g.createGraphics();
        gr.drawImage(rgb, 0, 0, null);
        gr.dispose();
        return g;
    }

    /** Naive CMYK; the JDK's writer adds no Adobe marker, so readers take the samples as plain, not inverted. */
    private static Raster cmyk(BufferedImage rgb) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        int[] px = new int[4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = rgb.getRGB(x, y);
                int c = 255 - ((v >> 16) & 0xFF);
                int m = 255 - ((v >> 8) & 0xFF);
                int ye = 255 - (v & 0xFF);
                int k = Math.min(c, Math.min(m, ye));
                px[0] = c - k;
                px[1] = m - k;
                px[2] = ye - k;
                px[3] = k;
                r.setPixel(x, y, px);
            }
        }
        return r;
    }

    /** Quality 90, as most of ImageNet; an image, or a raw 4-band raster for CMYK. */
    private static void writeJpeg(BufferedImage image, Raster raster, Path path) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        // closing an ImageOutputStream leaves the stream under it open
        try (OutputStream file = Files.newOutputStream(path); ImageOutputStream os = ImageIO.createImageOutputStream(file)) {
            writer.setOutput(os);
            writer.write(null, image != null ? new IIOImage(image, null, null) : new IIOImage(raster, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
