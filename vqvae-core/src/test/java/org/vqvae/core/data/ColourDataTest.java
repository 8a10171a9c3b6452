package org.vqvae.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

class ColourDataTest {

    /** Writes n CIFAR-10 records whose label is i % 10 and whose red plane is filled with i. */
    static byte[] cifarBatch(int n, int offset) {
        byte[] b = new byte[n * Cifar10Files.RECORD];
        for (int i = 0; i < n; i++) {
            b[i * Cifar10Files.RECORD] = (byte) ((i + offset) % 10);
            for (int p = 0; p < 1024; p++) {
                b[i * Cifar10Files.RECORD + 1 + p] = (byte) (i + offset);
                b[i * Cifar10Files.RECORD + 1 + 1024 + p] = (byte) p;
                b[i * Cifar10Files.RECORD + 1 + 2048 + p] = (byte) 200;
            }
        }
        return b;
    }

    @Test
    void readsCifar10Batches(@TempDir Path dir) throws IOException {
        Path base = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        Files.write(base.resolve("data_batch_1.bin"), cifarBatch(5, 0));
        Files.write(base.resolve("data_batch_2.bin"), cifarBatch(3, 5));
        Files.write(base.resolve("test_batch.bin"), cifarBatch(4, 20));
        DataSpec.Splits<ImageSet> s = DataSpec.parse("cifar10:" + dir).load();
        assertEquals(8, s.train().size());
        assertEquals(4, s.test().size());
        assertEquals(3, s.train().channels());
        assertEquals(32, s.train().height());
        assertEquals(7, s.train().labels()[7]);
        assertEquals((byte) 6, s.train().pixels()[6 * 3072]); // red plane of image 6
        assertEquals((byte) 5, s.train().pixels()[6 * 3072 + 1024 + 5]); // green plane position 5
        assertEquals(1, s.test().labels()[1]); // (1 + 20) % 10
    }

    @Test
    void truncatedCifarBatchIsNamed(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("data_batch_1.bin"), cifarBatch(2, 0));
        byte[] t = cifarBatch(2, 0);
        Files.write(dir.resolve("test_batch.bin"), java.util.Arrays.copyOf(t, t.length - 10));
        IOException e = assertThrows(IOException.class, () -> DataSpec.parse("cifar10:" + dir).load());
        assertTrue(e.getMessage().contains("test_batch.bin is truncated"), e.getMessage());
    }

    static void writeFolder(Path dir) throws IOException {
        Color[] colours = {Color.RED, Color.BLUE};
        for (int c = 0; c < 2; c++) {
            Path cls = Files.createDirectories(dir.resolve(c == 0 ? "apples" : "berries"));
            for (int i = 0; i < 10; i++) {
                BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(colours[c]);
                g.fillRect(0, 0, 40, 30);
                g.setColor(Color.WHITE);
                g.fillRect(15 + i, 10, 10, 10);
                g.dispose();
                ImageIO.write(img, i % 2 == 0 ? "png" : "jpg", cls.resolve("img" + i + (i % 2 == 0 ? ".png" : ".jpg")).toFile());
            }
        }
        Files.write(dir.resolve("apples").resolve("corrupt.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    }

    @Test
    void readsAnImageFolderSkippingACorruptImage(@TempDir Path dir) throws IOException {
        writeFolder(dir);
        DataSpec.Splits<ImageSource> s = DataSpec.parse("folder:" + dir).withImages(16, false).open();
        assertEquals(21, s.train().size() + s.test().size()); // the corrupt file is indexed, then skipped on reading
        assertEquals(List.of("apples", "berries"), s.classes());
        assertEquals(3, s.train().channels());
        assertEquals(16, s.train().height());
        assertEquals(16, s.train().width());
        // an 'apples' image is red at its corner, a 'berries' image blue; the corrupt apple reads as its neighbour
        ImageSet t = s.train().gather(0, s.train().size());
        for (int i = 0; i < t.count(); i++) {
            int red = t.pixels()[i * 768] & 0xFF;
            int blue = t.pixels()[i * 768 + 512] & 0xFF;
            if (t.labels()[i] == 0) {
                assertTrue(red > 200 && blue < 50, "image " + i + " of class 0: r " + red + " b " + blue);
            } else {
                assertTrue(blue > 200 && red < 50, "image " + i + " of class 1: r " + red + " b " + blue);
            }
        }
    }

    @Test
    void strictFolderReadingNamesTheCorruptImage(@TempDir Path dir) throws IOException {
        writeFolder(dir);
        DataSpec.Splits<ImageSource> s = DataSpec.parse("folder:" + dir).withImages(16, true).open();
        IOException e = assertThrows(IOException.class, () -> s.train().gather(0, s.train().size()));
        assertTrue(e.getMessage().contains("corrupt.png"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("folder:" + dir).load());
    }

    @Test
    void colouredDigitsTintTheEmbeddedSampleOnAPlainBackground() throws IOException {
        DataSpec.Splits<ImageSet> grey = DataSpec.parse("embedded").load();
        DataSpec.Splits<ImageSet> colour = DataSpec.parse("coloured-digits").load();
        assertEquals("coloured-digits", DataSpec.parse("coloured-digits").toString());
        ImageSet c = colour.train();
        assertEquals(3, c.channels());
        assertEquals(32, c.height());
        assertEquals(grey.train().size(), c.count());
        assertEquals(grey.test().size(), colour.test().size());
        assertTrue(java.util.Arrays.equals(grey.train().labels(), c.labels()));
        int plane = 32 * 32;
        for (int i = 0; i < 50; i++) {
            for (int ch = 0; ch < 3; ch++) {
                // the 2-pixel border is pure background, the same colour at every border pixel
                int corner = c.pixels()[(i * 3 + ch) * plane] & 0xFF;
                assertEquals(corner, c.pixels()[(i * 3 + ch) * plane + 31 * 32 + 31] & 0xFF);
                assertTrue(corner < 100, "background channel " + corner);
            }
            // where the grey digit is fully on, the pixel is the bright foreground colour
            for (int p = 0; p < 784; p++) {
                if ((grey.train().pixels()[i * 784 + p] & 0xFF) == 255) {
                    int y = p / 28 + 2;
                    int x = p % 28 + 2;
                    for (int ch = 0; ch < 3; ch++) {
                        assertTrue((c.pixels()[(i * 3 + ch) * plane + y * 32 + x] & 0xFF) >= 80);
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ColouredDigits.of(c, 0));
    }
}
