package org.vqvae.bench;

import org.vqvae.core.data.ColouredDigits;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes a colour image folder (ImageNet's layout: one sub-folder per class, PNG files) of the
 * {@link ColouredDigits} made from the embedded MNIST sample: a real {@code folder:DIR} for
 * exercising the image-folder reader on a machine without ImageNet.
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
        ImageSet all = ColouredDigits.of(DataSpec.parse("embedded").load().train(), 0);
        int n = Math.min(count, all.count());
        int plane = ColouredDigits.SIZE * ColouredDigits.SIZE;
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(ColouredDigits.SIZE, ColouredDigits.SIZE, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < plane; p++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    rgb = (rgb << 8) | (all.pixels()[(i * 3 + c) * plane + p] & 0xFF);
                }
                img.setRGB(p % ColouredDigits.SIZE, p / ColouredDigits.SIZE, rgb);
            }
            Path dir = Files.createDirectories(out.resolve("digit" + all.labels()[i]));
            ImageIO.write(img, "png", dir.resolve(String.format("%05d.png", i)).toFile());
        }
        System.out.println("wrote " + n + " images to " + out);
    }
}
