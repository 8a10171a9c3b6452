package org.vqvae.spark;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.vqvae.core.io.NpyHeader;
import org.vqvae.core.io.NpyType;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;

/**
 * The ordered {@code .npy} files of {@code vqvae extract-codes}, assembled from the parts the
 * tasks wrote. Each task encodes a range of a split and commits, per output file, a complete
 * {@code .npy} of its rows ({@code NpyWriter}'s own conversion and checks) under
 * {@code OUT/_spark-parts/}; after the job the driver writes each file's header for the whole
 * count and appends the parts' rows in range order, under a temporary name renamed when complete.
 * Rows are copied, never parsed, so the file is the single-machine command's byte for byte;
 * unlike writing at offsets of a pre-sized file, this works on HDFS and S3, which cannot write
 * into the middle of a file.
 */
final class CodeParts {

    /** The directory under the output that holds the parts until the files are assembled. */
    static final String DIR = "_spark-parts";

    private CodeParts() {}

    /** The name of a task's part of an output file. */
    static String partName(int task, String file) {
        return String.format(Locale.ROOT, "%06d.%s", task, file);
    }

    /** The name of the file that marks a task's parts complete (committed last). */
    static String doneName(int task) {
        return String.format(Locale.ROOT, "%06d.done.json", task);
    }

    /**
     * Writes one output file from its parts.
     *
     * @param files the file systems
     * @param out the output directory
     * @param file the file's name
     * @param type its element type
     * @param rowShape the shape of one row ({@code [h, w]} or {@code []})
     * @param parts the tasks whose parts make the file, in order, with their row counts
     * @throws IOException if a part is missing or not the size it should be
     */
    static void assemble(HadoopFiles files, Path out, String file, NpyType type, long[] rowShape, List<int[]> parts)
            throws IOException {
        long total = 0;
        for (int[] p : parts) {
            total += p[1];
        }
        long[] shape = withCount(total, rowShape);
        Path dir = new Path(out, DIR);
        FileSystem fs = files.fs(dir);
        long finalTotal = total;
        files.publish(out, file, os -> {
            os.write(NpyHeader.encode(type, shape));
            long rows = 0;
            for (int[] p : parts) {
                Path part = new Path(dir, partName(p[0], file));
                int header = NpyHeader.encode(type, withCount(p[1], rowShape)).length;
                long bytes = fs.getFileStatus(part).getLen() - header;
                long want = (long) p[1] * type.size() * product(rowShape);
                if (bytes != want) {
                    throw new IOException(part + " holds " + bytes + " bytes of rows, not " + want);
                }
                try (FSDataInputStream in = fs.open(part)) {
                    in.seek(header);
                    copy(in, os, bytes);
                }
                rows += p[1];
            }
            if (rows != finalTotal) {
                throw new IllegalStateException(file + ": " + rows + " rows of " + finalTotal);
            }
        });
    }

    private static long[] withCount(long n, long[] rowShape) {
        long[] s = new long[rowShape.length + 1];
        s[0] = n;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return s;
    }

    private static long product(long[] shape) {
        long p = 1;
        for (long d : shape) {
            p *= d;
        }
        return p;
    }

    private static void copy(FSDataInputStream in, OutputStream os, long bytes) throws IOException {
        byte[] buf = new byte[1 << 20];
        long left = bytes;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("part ended " + left + " bytes early");
            }
            os.write(buf, 0, n);
            left -= n;
        }
    }
}
