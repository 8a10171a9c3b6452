package org.vqvae.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Peak memory does not grow with the data: the same short VQ-VAE-2 run over 20,000 images and over
 * two billion (a procedural source standing in for a folder far larger than any machine's memory:
 * 6 PB of 32x32 colour images), each in a fresh JVM whose heap is too small for any array with an
 * entry per image, reports its peak heap and peak resident set.
 */
class ScaleTest {

    /** A procedural image set: image i is a coloured square on a background, both drawn from i. */
    record Procedural(int size) implements ImageSource {
        @Override
        public int channels() {
            return 3;
        }

        @Override
        public int height() {
            return 32;
        }

        @Override
        public int width() {
            return 32;
        }

        @Override
        public int label(int index) {
            return index % 10;
        }

        @Override
        public void read(int index, byte[] dst, int offset) {
            long h = index * 0x9E3779B97F4A7C15L;
            int x0 = (int) ((h >>> 8) & 15);
            int y0 = (int) ((h >>> 16) & 15);
            int label = label(index);
            for (int c = 0; c < 3; c++) {
                int fg = 80 + 17 * ((label + c * 3) % 10);
                int bg = (int) ((h >>> (24 + 8 * c)) & 63);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        boolean in = x >= x0 && x < x0 + 12 && y >= y0 && y < y0 + 12;
                        dst[offset + (c * 32 + y) * 32 + x] = (byte) (in ? fg : bg);
                    }
                }
            }
        }
    }

    /**
     * Trains briefly on a procedural set and prints the peak heap and resident set.
     *
     * @param args the number of training images, the run directory
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        DataSpec.Splits<ImageSource> data = new DataSpec.Splits<>(new Procedural(n), new Procedural(n / 10), null);
        VqVae2Config config = VqVae2Config.defaults(3, 32, 32, 2).withSizes(16, 8, 1, 32, 8);
        TrainingOptions options = new TrainingOptions(12, 16, 1e-3f, 0, 6, Path.of(args[1]), false).withData(2, 64);
        new VqVaeTrainer(new VqVae2(config), options, new PrintStream(new ByteArrayOutputStream()))
                .train(data, "procedural", Device.cpu());
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                hwm = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        System.out.println("PEAK " + heap + " " + hwm);
    }

    private static long[] run(int n, Path dir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                ScaleTest.class.getName(), Integer.toString(n), dir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DJL_OFFLINE", "true");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "run did not finish");
        assertEquals(0, p.exitValue(), "run over " + n + " images failed:\n" + out);
        String peak = out.lines().filter(l -> l.startsWith("PEAK ")).findFirst().orElseThrow();
        String[] f = peak.split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    @Test
    void peakMemoryDoesNotGrowWithTheNumberOfImages(@TempDir Path dir) throws Exception {
        long[] small = run(20_000, dir.resolve("small"));
        long[] huge = run(2_000_000_000, dir.resolve("huge"));
        long mb = 1 << 20;
        System.out.printf("peak heap %d / %d MB, peak RSS %d / %d MB (20,000 / 2,000,000,000 images)%n",
                small[0] / mb, huge[0] / mb, small[1] / mb, huge[1] / mb);
        // a single byte per image would be 1.9 GB: ten times the heap the runs are given
        assertTrue(huge[0] < small[0] + 64 * mb, "peak heap grew from " + small[0] / mb + " to " + huge[0] / mb + " MB");
        assertTrue(huge[1] < small[1] + 128 * mb, "peak RSS grew from " + small[1] / mb + " to " + huge[1] / mb + " MB");
    }
}
