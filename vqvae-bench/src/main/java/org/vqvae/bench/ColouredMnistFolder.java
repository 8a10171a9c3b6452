package org.vqvae.bench;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes a colour image folder (ImageNet's layout: one sub-folder per class, PNG files) made from
 * the embedded MNIST sample: each digit tinted with a random colour on a random background,
 * padded to 32x32. Colour data for VQ-VAE-2 demonstrations on a machine without CIFAR-10.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.ColouredMnistFolder \
 *     --out runs/coloured-mnist --count 5000
 * </pre>
 */
public final class ColouredMnistFolder {

    private ColouredMnistFolder() {}

    /**
     * Writes the folder.
     *
     * @param args {@code --out DIR --count N}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of("runs/coloured-mnist");
        int count = 5000;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[i + 1]);
                case "--count" -> count = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        DataSpec.Splits splits = DataSpec.parse("embedded").load();
        ImageSet all = splits.train();
        Random r = new Random(0);
        int n = Math.min(count, all.count());
        for (int i = 0; i < n; i++) {
            int[] fg = {80 + r.nextInt(176), 80 + r.nextInt(176), 80 + r.nextInt(176)};
            int[] bg = {r.nextInt(100), r.nextInt(100), r.nextInt(100)};
            BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int v = 0;
                    if (y >= 2 && y < 30 && x >= 2 && x < 30) {
                        v = all.pixels()[i * 784 + (y - 2) * 28 + (x - 2)] & 0xFF;
                    }
                    int rgb = 0;
                    for (int c = 0; c < 3; c++) {
                        int value = (bg[c] * (255 - v) + fg[c] * v) / 255;
                        rgb = (rgb << 8) | value;
                    }
                    img.setRGB(x, y, rgb);
                }
            }
            Path dir = Files.createDirectories(out.resolve("digit" + all.labels()[i]));
            ImageIO.write(img, "png", dir.resolve(String.format("%05d.png", i)).toFile());
        }
        System.out.println("wrote " + n + " images to " + out);
    }
}
