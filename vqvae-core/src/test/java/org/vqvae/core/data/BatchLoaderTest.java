package org.vqvae.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

class BatchLoaderTest {

    /** n distinct 1x2x2 images: pixel values encode the index, label = index % 7. */
    static ImageSet numbered(int n) {
        byte[] px = new byte[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            px[i * 4] = (byte) i;
            px[i * 4 + 1] = (byte) (i >> 8);
            px[i * 4 + 2] = (byte) (i >> 16);
            px[i * 4 + 3] = (byte) 0x5A;
            labels[i] = i % 7;
        }
        return new ImageSet(px, labels, n, 1, 2, 2);
    }

    static int index(ImageSet batch, int i) {
        byte[] p = batch.pixels();
        return (p[i * 4] & 0xFF) | (p[i * 4 + 1] & 0xFF) << 8 | (p[i * 4 + 2] & 0xFF) << 16;
    }

    @Test
    void everyEpochIsAPermutationDrawnFromTheSeed() {
        int n = 103;
        int b = 10;
        BatchPlan plan = BatchPlan.shuffled(n, b, 42);
        int[] positions = new int[n * 4];
        for (int batch = 0; batch < positions.length / b; batch++) {
            System.arraycopy(plan.indices(batch), 0, positions, batch * b, b);
        }
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] e = Arrays.copyOfRange(positions, epoch * n, (epoch + 1) * n);
            Arrays.sort(e);
            for (int i = 0; i < n; i++) {
                assertEquals(i, e[i], "epoch " + epoch + " is not a permutation");
            }
        }
        assertNotEquals(Arrays.toString(Arrays.copyOf(positions, n)), Arrays.toString(Arrays.copyOfRange(positions, n, 2 * n)),
                "two epochs in the same order");
        // a batch depends on its number alone: a fresh plan asked for batch 37 first agrees
        assertArrayEquals(plan.indices(37), BatchPlan.shuffled(n, b, 42).indices(37));
        assertNotEquals(Arrays.toString(plan.indices(37)), Arrays.toString(BatchPlan.shuffled(n, b, 43).indices(37)));
    }

    @Test
    void batchesDoNotDependOnTheWorkersAndResumeWhereTheyStopped() throws IOException {
        ImageSet source = numbered(1000);
        BatchPlan plan = BatchPlan.shuffled(source.size(), 64, 7);
        List<int[]> reference = read(source, plan, 0, 40, 0);
        for (int workers : new int[] {1, 3}) {
            List<int[]> got = read(source, plan, 0, 40, workers);
            for (int i = 0; i < 40; i++) {
                assertArrayEquals(reference.get(i), got.get(i), workers + " workers, batch " + i);
            }
        }
        // a run resumed at batch 23 sees what the uninterrupted run saw from batch 23 on
        List<int[]> resumed = read(source, BatchPlan.shuffled(source.size(), 64, 7), 23, 40, 2);
        for (int i = 23; i < 40; i++) {
            assertArrayEquals(reference.get(i), resumed.get(i - 23), "resumed batch " + i);
        }
    }

    private static List<int[]> read(ImageSource source, BatchPlan plan, long from, long to, int workers)
            throws IOException {
        List<int[]> out = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(source, plan, from, to, workers, 3)) {
            while (loader.hasNext()) {
                ImageSet batch = loader.next();
                int[] idx = new int[batch.count()];
                int[] expected = plan.indices(from + out.size());
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = index(batch, i);
                    assertEquals(idx[i] % 7, batch.labels()[i], "label of image " + idx[i]);
                }
                assertArrayEquals(expected, idx, "batch holds the plan's images");
                out.add(idx);
            }
        }
        assertEquals(to - from, out.size());
        return out;
    }

    @Test
    void sequentialBatchesCoverTheSetOnceWithAShortLastBatch() throws IOException {
        ImageSet source = numbered(10);
        List<Integer> seen = new ArrayList<>();
        try (BatchLoader loader = BatchLoader.sequential(source, 4, 2)) {
            while (loader.hasNext()) {
                ImageSet b = loader.next();
                for (int i = 0; i < b.count(); i++) {
                    seen.add(index(b, i));
                }
            }
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), seen);
    }

    /** Fails on some images, as a corrupt file would. */
    record Failing(ImageSet inner, int... bad) implements ImageSource {
        public int size() {
            return inner.size();
        }

        public int channels() {
            return inner.channels();
        }

        public int height() {
            return inner.height();
        }

        public int width() {
            return inner.width();
        }

        public int label(int index) {
            return inner.label(index);
        }

        public void read(int index, byte[] dst, int offset) throws IOException {
            for (int b : bad) {
                if (b == index) {
                    throw new IOException("image file-" + index + ".jpg: truncated");
                }
            }
            inner.read(index, dst, offset);
        }
    }

    @Test
    void anUnreadableImageStopsTheLoaderNamingIt() {
        ImageSource source = new Failing(numbered(50), 17);
        IOException e = assertThrows(IOException.class, () -> {
            try (BatchLoader loader = BatchLoader.sequential(source, 8, 2)) {
                while (loader.hasNext()) {
                    loader.next();
                }
            }
        });
        assertTrue(e.getMessage().contains("file-17.jpg"), e.getMessage());
    }

    @Test
    void skippedImagesAreReplacedByTheNextReadableOneWithItsLabel() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SkippingSource source = new SkippingSource(new Failing(numbered(20), 5, 6, 19), new PrintStream(log, true));
        ImageSet all = source.gather(0, 20);
        assertEquals(7, index(all, 5));
        assertEquals(7, index(all, 6));
        assertEquals(0, index(all, 19)); // wraps round
        assertEquals(7 % 7, all.labels()[5]);
        assertEquals(0, all.labels()[19]);
        assertEquals(3, source.skipped());
        assertTrue(log.toString().contains("file-5.jpg"), log.toString());
        // the same replacement every time
        assertEquals(7, index(source.gather(new int[] {5}), 0));
        assertEquals(3, source.skipped());
    }

    @Test
    void djlDatasetBatchesTheSourcesImagesWithTheirLabels() throws Exception {
        ImageSet source = numbered(10);
        ImageSourceDataset dataset = ImageSourceDataset.builder().setSource(source).setSampling(4, false).build();
        assertEquals(10, dataset.size());
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            int seen = 0;
            for (ai.djl.training.dataset.Batch b : dataset.getData(m)) {
                float[] px = b.getData().head().toFloatArray();
                float[] labels = b.getLabels().head().toFloatArray();
                for (int i = 0; i < labels.length; i++, seen++) {
                    assertEquals(seen % 7, labels[i], 0f);
                    assertEquals(seen / 255f - 0.5f, px[i * 4], 1e-6f);
                    assertEquals(0x5A / 255f - 0.5f, px[i * 4 + 3], 1e-6f);
                }
                b.close();
            }
            assertEquals(10, seen);
        }
    }
}
