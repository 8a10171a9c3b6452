package org.vqvae.spark;

import org.vqvae.cli.VqvaeCommand;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Fixtures of the Spark tests: a small image folder, tiny trained models, runs of both command lines. */
final class TestData {

    private TestData() {}

    /** A command's exit status and what it printed. */
    record Run(int code, String out, String err) {}

    /** Runs {@code vqvae ARGS} in this JVM. */
    static Run vqvae(String... args) {
        return capture(() -> VqvaeCommand.commandLine(), args);
    }

    /** Runs {@code vqvae spark ARGS} in this JVM. */
    static Run spark(String... args) {
        return capture(SparkMain::commandLine, args);
    }

    private static Run capture(java.util.function.Supplier<picocli.CommandLine> cl, String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            picocli.CommandLine c = cl.get();
            c.setOut(new PrintWriter(out));
            c.setErr(new PrintWriter(err));
            int code = c.execute(args);
            return new Run(code, out + captured.toString(), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    /** Three classes of JPEGs and PNGs of varied sizes, a grey one, and one corrupt file. */
    static void writeFolder(Path dir, int perClass, long seed) throws IOException {
        Random r = new Random(seed);
        String[] classes = {"n01", "n02", "n03"};
        Color[] colours = {new Color(200, 40, 30), new Color(30, 160, 60), new Color(40, 60, 210)};
        for (int c = 0; c < classes.length; c++) {
            Path cls = Files.createDirectories(dir.resolve(classes[c]));
            for (int i = 0; i < perClass; i++) {
                int w = 16 + r.nextInt(40);
                int h = 16 + r.nextInt(40);
                boolean png = i % 4 == 1;
                BufferedImage img = new BufferedImage(w, h, png ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(colours[c]);
                g.fillRect(0, 0, w, h);
                g.setColor(Color.WHITE);
                g.fillOval(r.nextInt(w / 2), r.nextInt(h / 2), w / 3, h / 3);
                g.dispose();
                Path file = (i % 5 == 4 ? Files.createDirectories(cls.resolve("sub")) : cls).resolve(classes[c] + "_" + i
                        + (png ? ".png" : ".JPEG"));
                ImageIO.write(img, png ? "png" : "jpg", file.toFile());
            }
        }
        Files.write(dir.resolve(classes[1]).resolve("corrupt.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2});
    }

    /** Trains a tiny model with the vqvae command; {@code extra} picks the data and architecture. */
    static Path train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--steps", "2", "--batch", "4", "--eval-every", "2",
                "--eval-images", "4", "--hidden", "8", "--res-channels", "4", "--res-blocks", "1", "--codes", "16",
                "--code-dim", "4", "--threads", "1", "--workers", "1", "--out", out.toString()));
        args.addAll(List.of(extra));
        Run t = vqvae(args.toArray(new String[0]));
        assertEquals(0, t.code(), t.err());
        return out;
    }

    /** Asserts that two directories hold the same files (leaving out some names) with the same bytes. */
    static void assertSameFiles(Path expected, Path actual, String... leftOut) throws IOException {
        List<String> skip = List.of(leftOut);
        List<String> want = list(expected, skip);
        assertEquals(want, list(actual, skip));
        for (String f : want) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)), f);
        }
    }

    private static List<String> list(Path dir, List<String> skip) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .filter(n -> skip.stream().noneMatch(n::startsWith)).sorted().toList();
        }
    }
}
