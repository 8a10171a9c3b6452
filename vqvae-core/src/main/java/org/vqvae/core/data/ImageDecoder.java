package org.vqvae.core.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/** Decodes image files to square pixel arrays (provisional: Java2D's decoders and scaling). */
public final class ImageDecoder {

    private ImageDecoder() {}

    /**
     * Decodes a file, resizes its short side to {@code size}, centre-crops a square.
     *
     * @param file the image file
     * @param size the side of the result
     * @param channels 3 (RGB) or 1 (grey)
     * @return {@code [channels, size, size]} unsigned 8-bit pixels
     * @throws IOException if the file is not a readable image
     */
    public static byte[] readSquare(Path file, int size, int channels) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IOException(file + ": not an image");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int rw = w <= h ? size : (int) ((long) size * w / h);
        int rh = w <= h ? (int) ((long) size * h / w) : size;
        BufferedImage scaled = new BufferedImage(rw, rh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, rw, rh, null);
        g.dispose();
        int top = (int) Math.round((rh - size) / 2.0);
        int left = (int) Math.round((rw - size) / 2.0);
        byte[] out = new byte[channels * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = scaled.getRGB(x + left, y + top);
                int r = (rgb >> 16) & 0xFF;
                int gr = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (channels == 1) {
                    out[y * size + x] = (byte) ((r * 299 + gr * 587 + b * 114 + 500) / 1000);
                } else {
                    out[y * size + x] = (byte) r;
                    out[size * size + y * size + x] = (byte) gr;
                    out[2 * size * size + y * size + x] = (byte) b;
                }
            }
        }
        return out;
    }
}
