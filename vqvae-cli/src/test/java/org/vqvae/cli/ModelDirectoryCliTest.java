package org.vqvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.djl.CodeMaps;
import org.vqvae.core.djl.ModelDirectory;
import org.vqvae.core.io.Npy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import javax.imageio.ImageIO;

/** A run directory the command trained loads through DJL's Criteria and encodes as {@code vqvae encode} does. */
class ModelDirectoryCliTest {

    @Test
    void criteriaCodesEqualTheEncodeCommands(@TempDir Path work) throws Exception {
        // ten PNGs of other sizes than the model's, grey and colour; the folder holds out the tenth
        Path data = Files.createDirectories(work.resolve("images/a"));
        Random r = new Random(3);
        for (int i = 0; i < 10; i++) {
            int w = 10 + r.nextInt(40);
            int h = 10 + r.nextInt(40);
            BufferedImage img = new BufferedImage(w, h, i % 3 == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.setRGB(x, y, r.nextInt(1 << 24) & (((x / 4 + y / 4) % 2 == 0) ? 0xFFFFFF : 0x3F7F3F));
                }
            }
            ImageIO.write(img, "png", data.resolve(String.format("%02d.png", i)).toFile());
        }
        Path run = work.resolve("run");
        CliTest.Run t = FolderCliTest.run("train", "--data", "folder:" + work.resolve("images"), "--image-size", "16",
                "--steps", "3", "--batch", "4", "--eval-every", "3", "--hidden", "16", "--res-channels", "8",
                "--res-blocks", "1", "--codes", "32", "--code-dim", "8", "--kmeans-init", "--workers", "0",
                "--threads", "1", "--out", run.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(Files.isRegularFile(run.resolve(ModelDirectory.SERVING_PROPERTIES)));

        Path codes = work.resolve("codes.npy");
        CliTest.Run e = FolderCliTest.run("encode", "--model", run.toString(), "--data", "folder:" + work.resolve("images"),
                "--split", "train", "--workers", "0", "--out", codes.toString());
        assertEquals(0, e.code(), e.err());
        try (NDManager m = NDManager.newBaseManager();
                ZooModel<Image, CodeMaps> zoo = Criteria.builder().setTypes(Image.class, CodeMaps.class)
                        .optModelPath(run).build().loadModel();
                Predictor<Image, CodeMaps> p = zoo.newPredictor()) {
            NDArray cli = Npy.read(m, codes).singletonOrThrow();
            assertEquals(9, cli.getShape().get(0));
            long[] all = cli.toLongArray();
            assertTrue(java.util.Arrays.stream(all).distinct().count() > 3, "codes must vary for the test to tell");
            for (int i = 0; i < 9; i++) {
                CodeMaps got = p.predict(ImageFactory.getInstance().fromFile(data.resolve(String.format("%02d.png", i))));
                int[][] map = got.level(0);
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        assertEquals(all[i * 16 + y * 4 + x], map[y][x], "image " + i + " at " + y + "," + x);
                    }
                }
            }
        }
    }
}
