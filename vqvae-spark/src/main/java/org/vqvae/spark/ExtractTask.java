package org.vqvae.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.vqvae.core.data.BatchLoader;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.io.NpyWriter;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Evaluation;
import org.vqvae.prior.CodeSet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One task of {@link ExtractCodesJob}: encodes a range of a split chunk by chunk (a sub-manager
 * per chunk, closed with its arrays), writes each output file's rows as a complete local {@code
 * .npy} with {@code NpyWriter}, and commits them under {@code OUT/_spark-parts/}, then a {@code
 * done} file with the labels' maximum and, for held-out images, each chunk's squared error (what
 * {@code meta.json}'s {@code test_mse} sums). Commits are renames of finished files, so a retried
 * or speculative attempt leaves exactly one copy. Returns the range's Parquet rows when asked.
 */
final class ExtractTask implements FlatMapFunction<Iterator<ExtractCodesJob.Range>, Row> {

    private static final long serialVersionUID = 1L;

    private final String model;
    private final DataPlan plan;
    private final HadoopFiles files;
    private final String out;
    private final boolean rows;
    private final int workers;
    private final int threads;

    ExtractTask(String model, DataPlan plan, HadoopFiles files, String out, boolean rows, int workers, int threads) {
        this.model = model;
        this.plan = plan;
        this.files = files;
        this.out = out;
        this.rows = rows;
        this.workers = workers;
        this.threads = threads;
    }

    @Override
    public Iterator<Row> call(Iterator<ExtractCodesJob.Range> ranges) throws Exception {
        List<Row> result = new ArrayList<>();
        while (ranges.hasNext()) {
            encode(ranges.next(), result);
        }
        return result.iterator();
    }

    private void encode(ExtractCodesJob.Range range, List<Row> result) throws IOException {
        CodeModel m = ModelCache.get(model, files, threads);
        DataSpec.Splits<ImageSource> splits = plan.open();
        ImageSource split = range.test() ? splits.test() : splits.train();
        String prefix = range.test() ? "test" : "train";
        int chunk = Evaluation.chunkFor(split); // the whole split's chunk: the command's batches
        ImageSource part = split.subset(IntStream.range(range.from(), range.to()).toArray());
        int n = part.size();
        int levels = m.levels();
        java.nio.file.Path tmp = Files.createTempDirectory("vqvae-spark-task");
        List<NpyWriter> writers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        JsonArray squared = new JsonArray();
        int maxLabel = -1;
        try {
            for (int l = 0; l < levels; l++) {
                int[] hw = m.codeSize(l);
                names.add(ExtractCodesJob.codesFile(m, prefix, l));
                writers.add(NpyWriter.open(tmp.resolve(names.get(l)), ExtractCodesJob.codeType(m, l), n, hw[0], hw[1]));
            }
            names.add(CodeSet.labelsFile(prefix));
            NpyWriter labels = NpyWriter.open(tmp.resolve(names.get(levels)), NpyType.I4, n);
            writers.add(labels);
            int at = 0;
            long began = System.nanoTime();
            try (NDManager base = NDManager.newBaseManager();
                    BatchLoader loader = BatchLoader.sequential(part, chunk, workers)) {
                while (loader.hasNext()) {
                    ImageSet batch = loader.next();
                    int[][][] codes = new int[levels][][];
                    try (NDManager step = base.newSubManager()) {
                        NDArray x = batch.toImages(step);
                        NDList c = m.encodeLevels(x);
                        for (int l = 0; l < levels; l++) {
                            NDArray lc = checkShape(c.get(l), batch.count(), m.codeSize(l), l);
                            writers.get(l).append(lc);
                            if (rows) {
                                codes[l] = perImage(lc.toLongArray(), batch.count());
                            }
                        }
                        if (range.test()) {
                            // Evaluation.of's term for this chunk, in float as it adds it
                            NDList o = m.forward(new ParameterStore(step, false), new NDList(x), false);
                            float sq = o.get(CodeModel.RECONSTRUCTION).sub(x).square().sum().getFloat();
                            squared.add(Float.floatToIntBits(sq));
                        }
                    }
                    long[] lab = new long[batch.count()];
                    for (int i = 0; i < lab.length; i++) {
                        lab[i] = batch.labels()[i];
                        maxLabel = Math.max(maxLabel, batch.labels()[i]);
                        if (rows) {
                            Object[] row = new Object[4 + levels];
                            row[0] = prefix;
                            row[1] = range.from() + at + i;
                            row[2] = part.describe(at + i);
                            row[3] = batch.labels()[i];
                            for (int l = 0; l < levels; l++) {
                                row[4 + l] = codes[l][i];
                            }
                            result.add(RowFactory.create(row));
                        }
                    }
                    labels.append(lab, 0, lab.length);
                    at += batch.count();
                }
            }
            long nanos = System.nanoTime() - began;
            for (NpyWriter w : writers) {
                w.commit();
            }
            Path parts = new Path(HadoopFiles.path(out), CodeParts.DIR);
            for (String name : names) {
                files.commit(tmp.resolve(name), parts, CodeParts.partName(range.task(), name));
            }
            failForTest(range.task());
            JsonObject done = new JsonObject();
            done.addProperty("count", n);
            done.addProperty("max_label", maxLabel);
            done.addProperty("encode_nanos", nanos); // decoding and encoding, the model already loaded
            done.add("squared", squared);
            java.nio.file.Path doneFile = tmp.resolve("done.json");
            Files.writeString(doneFile, done.toString(), StandardCharsets.UTF_8);
            files.commit(doneFile, parts, CodeParts.doneName(range.task()));
        } finally {
            for (NpyWriter w : writers) {
                w.close();
            }
            AtomicFiles.deleteTree(tmp);
        }
    }

    /**
     * Fault injection for the tests: with {@code -Dvqvae.spark.failTask=N}, the first attempt of
     * task N fails after committing its parts and before its {@code done} file, as a task killed
     * mid-commit would.
     */
    private static void failForTest(int task) throws IOException {
        TaskContext tc = TaskContext.get();
        if (tc != null && tc.attemptNumber() == 0
                && Integer.toString(task).equals(System.getProperty("vqvae.spark.failTask"))) {
            throw new IOException("injected failure of task " + task + " (vqvae.spark.failTask)");
        }
    }

    private static int[][] perImage(long[] values, int n) {
        int per = n == 0 ? 0 : values.length / n;
        int[][] maps = new int[n][per];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < per; k++) {
                maps[i][k] = (int) values[i * per + k];
            }
        }
        return maps;
    }

    private static NDArray checkShape(NDArray codes, int n, int[] hw, int level) {
        long[] s = codes.getShape().getShape();
        if (s.length != 3 || s[0] != n || s[1] != hw[0] || s[2] != hw[1]) {
            throw new IllegalStateException("level " + level + " encodes " + codes.getShape() + ", not [" + n + ", "
                    + hw[0] + ", " + hw[1] + "]");
        }
        return codes;
    }
}
