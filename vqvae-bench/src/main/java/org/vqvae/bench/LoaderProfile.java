package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.DecodedImage;
import org.vqvae.core.data.ImageDecoder;
import org.vqvae.core.data.ImageFolderSource;
import org.vqvae.core.data.ImageSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where one image's time goes in the folder pipeline, on the calling thread alone: reading the
 * file, decoding it ({@link ImageDecoder#decode}), resizing and cropping ({@link
 * ImageDecoder#resizeCenterCrop}), and per image of a batch, making the float array ({@link
 * ImageSet#toImages}). The counterpart is {@code torch_loader_bench.py --profile}.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.LoaderProfile \
 *     --folder DIR [--images 200] [--threads 2]
 * </pre>
 */
public final class LoaderProfile {

    private LoaderProfile() {}

    /**
     * Prints milliseconds per image of each stage, after one untimed pass to warm the JIT.
     *
     * @param args {@code --folder DIR [--images N] [--threads T]} (T: libtorch threads of the conversion)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path folder = null;
        int images = 200;
        int threads = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--folder" -> folder = Path.of(args[i + 1]);
                case "--images" -> images = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        ImageFolderSource src = ImageFolderSource.open(folder, 256, 3);
        int n = Math.min(images, src.size());
        for (int pass = 0; pass < 2; pass++) {
            long read = 0;
            long decode = 0;
            long resize = 0;
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                byte[] data = Files.readAllBytes(src.root().resolve(src.file(i)));
                long t1 = System.nanoTime();
                DecodedImage img = ImageDecoder.decode(data, src.file(i), 3);
                long t2 = System.nanoTime();
                ImageDecoder.resizeCenterCrop(img, 256);
                long t3 = System.nanoTime();
                read += t1 - t0;
                decode += t2 - t1;
                resize += t3 - t2;
            }
            double convert = convertMillis(128, threads);
            System.out.printf(Locale.ROOT, "%s: ms/image read %.2f decode %.2f resize+crop %.2f, to float array %.2f"
                    + " (%d libtorch threads)%n", pass == 0 ? "warm-up" : "measured", read / 1e6 / n,
                    decode / 1e6 / n, resize / 1e6 / n, convert, threads);
        }
    }

    /** Per image, the median over batches of {@link ImageSet#toImages} for a batch of 256x256 RGB images. */
    private static double convertMillis(int batch, int threads) {
        ImageSet set = new ImageSet(new byte[batch * 3 * 256 * 256], new int[batch], batch, 3, 256, 256);
        long[] times = new long[9];
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (int k = 0; k < times.length; k++) {
                long t0 = System.nanoTime();
                try (NDArray x = set.toImages(m)) {
                    times[k] = System.nanoTime() - t0;
                }
            }
        }
        java.util.Arrays.sort(times);
        return times[times.length / 2] / 1e6 / batch;
    }
}
