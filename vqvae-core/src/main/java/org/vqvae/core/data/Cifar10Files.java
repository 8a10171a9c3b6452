package org.vqvae.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads CIFAR-10 in its standard binary format ({@code cifar-10-batches-bin}): files of 3,073-byte
 * records, one label byte then 1,024 red, 1,024 green and 1,024 blue bytes of a 32x32 image,
 * row-major, which is already the {@code [C, H, W]} layout. Training data is {@code
 * data_batch_1.bin} to {@code data_batch_5.bin} (those present), held-out data {@code
 * test_batch.bin}. (DJL's {@code Cifar10} dataset only reads through its download repository.)
 */
public final class Cifar10Files {

    /** Bytes of one record. */
    public static final int RECORD = 1 + 3 * 32 * 32;

    private Cifar10Files() {}

    /**
     * Reads both splits from a directory (or its {@code cifar-10-batches-bin} sub-directory).
     *
     * @param dir the directory
     * @return train and test images
     * @throws IOException if files are missing, truncated or hold bad labels
     */
    public static DataSpec.Splits<ImageSet> read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "data directory does not exist");
        }
        Path base = Files.isRegularFile(dir.resolve("test_batch.bin")) ? dir : dir.resolve("cifar-10-batches-bin");
        java.util.List<Path> train = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Path p = base.resolve("data_batch_" + i + ".bin");
            if (Files.isRegularFile(p)) {
                train.add(p);
            }
        }
        if (train.isEmpty()) {
            throw new NoSuchFileException(base.resolve("data_batch_1.bin").toString(), null,
                    "missing data_batch_N.bin in " + dir);
        }
        Path test = base.resolve("test_batch.bin");
        if (!Files.isRegularFile(test)) {
            throw new NoSuchFileException(test.toString(), null, "missing test_batch.bin in " + dir);
        }
        return new DataSpec.Splits<>(readFiles(train), readFiles(java.util.List.of(test)), null);
    }

    private static ImageSet readFiles(java.util.List<Path> files) throws IOException {
        long total = 0;
        for (Path p : files) {
            long size = Files.size(p);
            if (size == 0 || size % RECORD != 0) {
                throw new IOException(p + " is truncated or not a CIFAR-10 batch: " + size
                        + " bytes is not a whole number of " + RECORD + "-byte records");
            }
            total += size / RECORD;
        }
        int n = Math.toIntExact(total);
        byte[] pixels = new byte[n * (RECORD - 1)];
        int[] labels = new int[n];
        int i = 0;
        byte[] record = new byte[RECORD];
        for (Path p : files) {
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(p), 1 << 20)) {
                while (in.readNBytes(record, 0, RECORD) == RECORD) {
                    int label = record[0] & 0xFF;
                    if (label > 9) {
                        throw new IOException(p + ": record " + i + " has label " + label + ", outside 0-9");
                    }
                    labels[i] = label;
                    System.arraycopy(record, 1, pixels, i * (RECORD - 1), RECORD - 1);
                    i++;
                }
            }
        }
        return new ImageSet(pixels, labels, n, 3, 32, 32);
    }
}
