package org.vqvae.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes batches of images as one PNG grid, the pictures people look at: reconstructions under
 * their originals, samples one row per class.
 */
public final class ImageGrid {

    private static final int GAP = 2;

    private ImageGrid() {}

    /**
     * Lays {@code [N, C, H, W]} images (pixels in [-0.5, 0.5], C = 1 or 3) out in rows of {@code
     * columns} with a 2-pixel gap, and writes them as PNG atomically.
     *
     * @param path the PNG file
     * @param images the images
     * @param columns images per row
     * @throws IOException on failure
     */
    public static void write(Path path, NDArray images, int columns) throws IOException {
        BufferedImage grid = render(images, columns);
        AtomicFiles.write(path, os -> {
            // ImageIO would buffer a stream through a temporary file marked deleteOnExit, which throws
            // once the JVM is shutting down (a training run finishing after Ctrl-C); the grid is small
            ImageIO.setUseCache(false);
            if (!ImageIO.write(grid, "png", os)) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    /**
     * Renders images to a grid picture.
     *
     * @param images {@code [N, C, H, W]} with pixels in [-0.5, 0.5]
     * @param columns images per row
     * @return the picture
     */
    public static BufferedImage render(NDArray images, int columns) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || (s.get(1) != 1 && s.get(1) != 3)) {
            throw new IllegalArgumentException("images must be [N, 1 or 3, H, W], got " + s);
        }
        int n = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int cols = Math.max(1, Math.min(columns, n));
        int rows = Math.max(1, (n + cols - 1) / cols);
        float[] px = images.toType(DataType.FLOAT32, false).toFloatArray();
        BufferedImage img = new BufferedImage(
                cols * (w + GAP) + GAP, rows * (h + GAP) + GAP, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < n; i++) {
            int x0 = GAP + (i % cols) * (w + GAP);
            int y0 = GAP + (i / cols) * (h + GAP);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int[] rgb = new int[3];
                    for (int k = 0; k < 3; k++) {
                        int ch = c == 1 ? 0 : k;
                        rgb[k] = pixel(px[((i * c + ch) * h + y) * w + x]);
                    }
                    img.setRGB(x0 + x, y0 + y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
                }
            }
        }
        return img;
    }

    /**
     * Converts a value of the models' pixel scale to an 8-bit pixel.
     *
     * @param value a pixel in [-0.5, 0.5] (clipped outside it)
     * @return {@code round((value + 0.5) * 255)} in [0, 255]
     */
    public static int pixel(float value) {
        return Math.max(0, Math.min(255, Math.round((value + 0.5f) * 255f)));
    }
}
