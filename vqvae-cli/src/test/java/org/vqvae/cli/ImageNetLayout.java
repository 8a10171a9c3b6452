package org.vqvae.cli;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

import javax.imageio.ImageIO;

/**
 * Writes a small folder in ImageNet's layout (one sub-folder per class, {@code .JPEG} files of
 * varied sizes and aspect ratios): a colour gradient per class with random ellipses and bars, so
 * classes differ and images within a class vary. Uses only the JDK, so it also runs as a script:
 * {@code java vqvae-cli/src/test/java/org/vqvae/cli/ImageNetLayout.java DIR CLASSES PER_CLASS}.
 */
public final class ImageNetLayout {

    private ImageNetLayout() {}

    /**
     * Writes the folder.
     *
     * @param dir the folder (created)
     * @param classes classes, named n00000000, n00000001, ...
     * @param perClass images per class
     * @param seed random seed
     * @throws IOException if writing fails
     */
    public static void write(Path dir, int classes, int perClass, long seed) throws IOException {
        Random random = new Random(seed);
        for (int c = 0; c < classes; c++) {
            Path classDir = dir.resolve(String.format(Locale.ROOT, "n%08d", c));
            Files.createDirectories(classDir);
            float hue = (float) c / classes;
            for (int i = 0; i < perClass; i++) {
                int w = 48 + random.nextInt(200);
                int h = 48 + random.nextInt(200);
                BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = image.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setPaint(new GradientPaint(0, 0, Color.getHSBColor(hue, 0.8f, 0.9f), w, h,
                        Color.getHSBColor(hue + 0.3f, 0.6f, 0.3f + 0.4f * random.nextFloat())));
                g.fillRect(0, 0, w, h);
                for (int s = 0; s < 3; s++) {
                    g.setColor(Color.getHSBColor(hue + 0.5f * random.nextFloat(), random.nextFloat(), random.nextFloat()));
                    int x = random.nextInt(w);
                    int y = random.nextInt(h);
                    if (s % 2 == 0) {
                        g.fillOval(x - w / 6, y - h / 6, 8 + random.nextInt(w / 2), 8 + random.nextInt(h / 2));
                    } else {
                        g.fillRect(x, 0, 4 + random.nextInt(w / 8 + 1), h);
                    }
                }
                g.dispose();
                Path file = classDir.resolve(String.format(Locale.ROOT, "img_%04d.JPEG", i));
                if (!ImageIO.write(image, "jpeg", file.toFile())) {
                    throw new IOException("no JPEG writer");
                }
            }
        }
    }

    /**
     * Writes a folder from the command line.
     *
     * @param args DIR CLASSES PER_CLASS
     * @throws IOException if writing fails
     */
    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), 0);
    }
}
