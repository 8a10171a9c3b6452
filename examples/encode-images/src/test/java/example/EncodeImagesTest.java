package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.Checkpoint;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Runs the example on a small model saved as training saves one, and on images of other sizes. */
class EncodeImagesTest {

    @Test
    void encodesImagesOfAnySizeWithARunDirectory(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        try (NDManager manager = NDManager.newBaseManager()) {
            VqVae model = new VqVae(VqVaeConfig.defaults(1, 28, 28).withTrunk(16, 8, 1).withCodebook(32, 8));
            Checkpoint.save(run, model.initialize(manager), null, 0);
        }
        Path colour = dir.resolve("colour.png");
        ImageIO.write(new BufferedImage(50, 30, BufferedImage.TYPE_INT_RGB), "png", colour.toFile());
        Path grey = dir.resolve("grey.png");
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", grey.toFile());

        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            EncodeImages.main(new String[] {run.toString(), colour.toString(), grey.toString()});
        } finally {
            System.setOut(saved);
        }
        List<String> lines = out.toString().lines().toList();
        assertEquals(2, lines.size(), out.toString());
        assertEquals(true, lines.get(0).startsWith(colour + ": level 0 7x7, first code "), lines.get(0));
        assertEquals(true, lines.get(1).startsWith(grey + ": level 0 7x7, first code "), lines.get(1));
    }
}
