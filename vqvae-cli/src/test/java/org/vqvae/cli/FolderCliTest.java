package org.vqvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vqvae.cli.CliTest.assertOneLineError;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.io.Npy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import javax.imageio.ImageIO;

/** Image folders and shards through the command line: train, prepare, held-out folders, model-sized reading. */
class FolderCliTest {

    /** Runs a command, its System.out lines in the result's output (the commands print progress there). */
    static CliTest.Run run(String... args) {
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true));
        try {
            CliTest.Run r = CliTest.run(args);
            return new CliTest.Run(r.code(), r.out() + captured, r.err());
        } finally {
            System.setOut(saved);
        }
    }

    /** An ImageNet-like folder: JPEGs of many aspect ratios, a grey PNG named .JPEG, a corrupt file. */
    static void writeImageNetLike(Path dir, int perClass, long seed) throws IOException {
        Random r = new Random(seed);
        String[] classes = {"n01440764", "n01443537", "n01484850"};
        Color[] colours = {new Color(200, 40, 30), new Color(30, 160, 60), new Color(40, 60, 210)};
        for (int c = 0; c < classes.length; c++) {
            Path cls = Files.createDirectories(dir.resolve(classes[c]));
            for (int i = 0; i < perClass; i++) {
                int w = 20 + r.nextInt(60);
                int h = 20 + r.nextInt(60);
                boolean grey = i == 1;
                BufferedImage img = new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(colours[c]);
                g.fillRect(0, 0, w, h);
                g.setColor(Color.WHITE);
                g.fillOval(r.nextInt(w / 2), r.nextInt(h / 2), w / 3, h / 3);
                g.dispose();
                String name = classes[c] + "_" + i + ".JPEG";
                ImageIO.write(img, grey ? "png" : "jpg", cls.resolve(name).toFile());
            }
        }
        Files.write(dir.resolve(classes[0]).resolve(classes[0] + "_corrupt.JPEG"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2});
    }

    @Test
    void trainsOnAFolderPreparesShardsAndReadsAtTheModelsSize(@TempDir Path work) throws IOException {
        Path train = work.resolve("train");
        Path val = work.resolve("val");
        writeImageNetLike(train, 12, 1);
        writeImageNetLike(val, 3, 2);
        Path run1 = work.resolve("run");
        CliTest.Run t = run("train", "--model", "vqvae2", "--data", "folder:" + train, "--val-data", "folder:" + val,
                "--image-size", "32", "--steps", "4", "--batch", "4", "--eval-every", "2", "--eval-images", "5",
                "--hidden", "16", "--res-channels", "8", "--res-blocks", "1", "--codes", "16", "--code-dim", "8",
                "--workers", "2", "--threads", "2", "--out", run1.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("37 train / 5 held-out images, 3x32x32"), t.out());
        assertTrue(Files.readString(run1.resolve("metrics.jsonl")).contains("images_per_s"));

        // encode without --image-size reads the folder at the model's own 32x32
        Path codes = work.resolve("codes.npz");
        CliTest.Run e = run("encode", "--model", run1.toString(), "--data", "folder:" + val, "--out", codes.toString());
        assertEquals(0, e.code(), e.err());
        try (NDManager m = NDManager.newBaseManager()) {
            NDList arrays = Npy.read(m, codes);
            assertEquals(new Shape(1, 8, 8), arrays.get("bottom").getShape()); // one held-out image of nine... tenth
        }

        Path shards = work.resolve("shards");
        CliTest.Run p = run("prepare", "--data", "folder:" + train, "--image-size", "32", "--shard-images", "10",
                "--out", shards.toString());
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("36 images in 4 shards"), p.out());
        assertTrue(p.out().contains("1 unreadable images left out"), p.out());
        CliTest.Run again = run("prepare", "--data", "folder:" + train, "--image-size", "32", "--shard-images", "10",
                "--out", shards.toString());
        assertTrue(again.out().contains("0 written now"), again.out());
        CliTest.Run r = run("reconstruct", "--model", run1.toString(), "--data", "shards:" + shards,
                "--out", work.resolve("rec.png").toString());
        assertEquals(0, r.code(), r.err());
        CliTest.Run resumed = run("train", "--data", "shards:" + shards, "--steps", "6", "--batch", "4",
                "--eval-every", "3", "--eval-images", "4", "--out", run1.toString(), "--resume", "--threads", "2");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming"), resumed.out());
    }

    @Test
    void badFoldersAndShardsGetOneLine(@TempDir Path work) throws IOException {
        Path train = work.resolve("train");
        writeImageNetLike(train, 3, 1);
        assertOneLineError(run("train", "--data", "shards:" + work.resolve("none"), "--steps", "1"), 1,
                "shard directory does not exist");
        assertOneLineError(run("prepare", "--data", "embedded", "--out", work.resolve("s").toString()), 1,
                "must be an image folder");
        assertOneLineError(run("train", "--data", "folder:" + train, "--strict", "--image-size", "16", "--steps", "3",
                "--batch", "9", "--workers", "1", "--out", work.resolve("r").toString()), 1, "_corrupt.JPEG");
        Path val = Files.createDirectories(work.resolve("val").resolve("n99999999"));
        ImageIO.write(new BufferedImage(9, 9, BufferedImage.TYPE_INT_RGB), "png", val.resolve("a.png").toFile());
        assertOneLineError(run("train", "--data", "folder:" + train, "--val-data", "folder:" + work.resolve("val"),
                "--steps", "1", "--out", work.resolve("r2").toString()), 1, "a class the training data does not have");
    }
}
