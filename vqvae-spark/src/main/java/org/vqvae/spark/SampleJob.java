package org.vqvae.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonObject;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.sql.SparkSession;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.io.NpyWriter;
import org.vqvae.core.model.CodeModel;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.HierarchicalSampler;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * {@code vqvae spark sample}: N images sampled from the priors and decoded, spread over the
 * executors. Image i has its class ({@code --class}, or i modulo the classes) and its own seed
 * (derived from {@code --seed} and i, {@link HierarchicalSampler#sample(long[], long[], NDManager)}),
 * and is sampled in group {@code i / batch}: groups, not tasks, fix the batches, so the files do
 * not depend on the number of executors or tasks. Each group's rows are committed as parts and the
 * driver assembles {@code LEVEL_codes.npy} (one level: {@code codes.npy}), {@code labels.npy} and
 * {@code images.npy} (uint8 [N, C, H, W], the pixels of {@code vqvae sample}'s grid) as
 * {@link CodeParts} does for extract-codes.
 */
public final class SampleJob {

    private SampleJob() {}

    /**
     * What to sample.
     *
     * @param model the VQ-VAE's directory
     * @param priors the priors' directories, bottom level first
     * @param count N, the images
     * @param cls every image's class, or null for i modulo the classes
     * @param seed the seed the images' seeds derive from
     * @param temperatures softmax temperature per level, bottom first
     * @param topKs top-k per level, bottom first (0 = all)
     * @param batch images sampled together
     * @param groupsPerTask batches per task (0: one)
     * @param codesOnly write the code maps without decoding them
     * @param out the output directory (local or URI)
     * @param threads libtorch intra-op threads per executor (0: its default)
     */
    public record Request(String model, List<String> priors, int count, Integer cls, long seed, float[] temperatures,
            int[] topKs, int batch, int groupsPerTask, boolean codesOnly, String out, int threads)
            implements Serializable {}

    /** The seed of image i: a stride of the golden ratio, which java.util.Random scrambles further. */
    static long imageSeed(long seed, int i) {
        return seed + i * 0x9E3779B97F4A7C15L;
    }

    /**
     * Runs the job.
     *
     * @param spark the session
     * @param r the request
     * @return the number of batches sampled
     * @throws IOException if a model cannot be read or an output written
     */
    public static int run(SparkSession spark, Request r) throws IOException {
        if (r.count() < 1) {
            throw new IllegalArgumentException("-n must be >= 1, got " + r.count());
        }
        if (r.batch() < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + r.batch());
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        HadoopFiles files = HadoopFiles.of(sc.hadoopConfiguration());
        Request req = new Request(ExtractCodesJob.modelKey(r.model()),
                r.priors().stream().map(ExtractCodesJob::modelKey).toList(), r.count(), r.cls(), r.seed(),
                r.temperatures(), r.topKs(), r.batch(), r.groupsPerTask(), r.codesOnly(), r.out(), r.threads());
        CodeModel model = ModelCache.get(req.model(), files, r.threads());
        HierarchicalSampler sampler = sampler(req, files);
        sampler.checkFits(model);
        int classes = ModelCache.prior(req.priors().get(req.priors().size() - 1), files, r.threads()).numClasses();
        if (r.cls() != null && (r.cls() < 0 || r.cls() >= classes)) {
            throw new IllegalArgumentException("--class " + r.cls() + " is outside [0, " + classes + ")");
        }
        Path out = HadoopFiles.path(r.out());
        FileSystem fs = files.fs(out);
        Path partsDir = new Path(out, CodeParts.DIR);
        fs.delete(partsDir, true);
        fs.mkdirs(partsDir);
        int groups = (r.count() + r.batch() - 1) / r.batch();
        List<Integer> ids = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            ids.add(g);
        }
        int perTask = Math.max(1, r.groupsPerTask());
        int tasks = (groups + perTask - 1) / perTask;
        sc.parallelize(ids, tasks).foreachPartition(new Task(req, files, classes));

        List<int[]> parts = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            if (!fs.exists(new Path(partsDir, CodeParts.doneName(g)))) {
                throw new IOException("batch " + g + " is missing: the job did not complete");
            }
            parts.add(new int[] {g, Math.min(r.count(), (g + 1) * r.batch()) - g * r.batch()});
        }
        for (String file : files(model, r.codesOnly())) {
            CodeParts.assemble(files, out, file, type(model, file), rowShape(model, file), parts);
        }
        fs.delete(partsDir, true);
        return groups;
    }

    private static HierarchicalSampler sampler(Request r, HadoopFiles files) throws IOException {
        List<CodePrior> priors = new ArrayList<>();
        for (String p : r.priors()) {
            priors.add(ModelCache.prior(p, files, r.threads()));
        }
        return new HierarchicalSampler(priors, r.temperatures(), r.topKs(), true);
    }

    private static List<String> files(CodeModel model, boolean codesOnly) {
        List<String> names = new ArrayList<>();
        for (int l = 0; l < model.levels(); l++) {
            names.add(codesFile(model, l));
        }
        names.add("labels.npy");
        if (!codesOnly) {
            names.add("images.npy");
        }
        return names;
    }

    private static String codesFile(CodeModel model, int level) {
        return model.levels() == 1 ? "codes.npy" : model.levelName(level) + "_codes.npy";
    }

    private static NpyType type(CodeModel model, String file) {
        for (int l = 0; l < model.levels(); l++) {
            if (file.equals(codesFile(model, l))) {
                return ExtractCodesJob.codeType(model, l);
            }
        }
        return file.equals("labels.npy") ? NpyType.I4 : NpyType.U1;
    }

    private static long[] rowShape(CodeModel model, String file) {
        for (int l = 0; l < model.levels(); l++) {
            if (file.equals(codesFile(model, l))) {
                return new long[] {model.codeSize(l)[0], model.codeSize(l)[1]};
            }
        }
        if (file.equals("labels.npy")) {
            return new long[0];
        }
        Shape in = model.inputShape(1);
        return new long[] {in.get(1), in.get(2), in.get(3)};
    }

    /** A task: samples, decodes and commits each of its batches. */
    private static final class Task implements VoidFunction<Iterator<Integer>> {

        private static final long serialVersionUID = 1L;

        private final Request r;
        private final HadoopFiles files;
        private final int classes;

        Task(Request r, HadoopFiles files, int classes) {
            this.r = r;
            this.files = files;
            this.classes = classes;
        }

        @Override
        public void call(Iterator<Integer> groups) throws Exception {
            CodeModel model = ModelCache.get(r.model(), files, r.threads());
            HierarchicalSampler sampler = sampler(r, files);
            while (groups.hasNext()) {
                sample(model, sampler, groups.next());
            }
        }

        private void sample(CodeModel model, HierarchicalSampler sampler, int g) throws IOException {
            int from = g * r.batch();
            int n = Math.min(r.count(), from + r.batch()) - from;
            long[] cls = new long[n];
            long[] seeds = new long[n];
            for (int i = 0; i < n; i++) {
                cls[i] = r.cls() != null ? r.cls() : (from + i) % classes;
                seeds[i] = imageSeed(r.seed(), from + i);
            }
            java.nio.file.Path tmp = Files.createTempDirectory("vqvae-spark-sample");
            try (NDManager m = NDManager.newBaseManager()) {
                long[][][] codes = sampler.sample(cls, seeds, m);
                List<String> names = files(model, r.codesOnly());
                for (int l = 0; l < model.levels(); l++) {
                    long[] flat = new long[n * codes[l][0].length];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(codes[l][i], 0, flat, i * codes[l][i].length, codes[l][i].length);
                    }
                    write(tmp, names.get(l), model, n, flat);
                }
                write(tmp, "labels.npy", model, n, cls);
                if (!r.codesOnly()) {
                    NDArray images = model.decodeLevels(sampler.toArrays(codes, m));
                    // the pixels of vqvae sample's grid: (v + 0.5) * 255, rounded, clipped
                    float[] px = images.toType(DataType.FLOAT32, false).toFloatArray();
                    long[] bytes = new long[px.length];
                    for (int k = 0; k < px.length; k++) {
                        bytes[k] = Math.max(0, Math.min(255, Math.round((px[k] + 0.5f) * 255f)));
                    }
                    write(tmp, "images.npy", model, n, bytes);
                }
                Path parts = new Path(HadoopFiles.path(r.out()), CodeParts.DIR);
                for (String name : names) {
                    files.commit(tmp.resolve(name), parts, CodeParts.partName(g, name));
                }
                JsonObject done = new JsonObject();
                done.addProperty("count", n);
                java.nio.file.Path doneFile = tmp.resolve("done.json");
                Files.writeString(doneFile, done.toString(), StandardCharsets.UTF_8);
                files.commit(doneFile, parts, CodeParts.doneName(g));
            } finally {
                AtomicFiles.deleteTree(tmp);
            }
        }

        private static void write(java.nio.file.Path dir, String name, CodeModel model, int n, long[] values)
                throws IOException {
            long[] row = rowShape(model, name);
            long[] shape = new long[row.length + 1];
            shape[0] = n;
            System.arraycopy(row, 0, shape, 1, row.length);
            try (NpyWriter w = NpyWriter.open(dir.resolve(name), type(model, name), shape)) {
                w.append(values, 0, values.length);
                w.commit();
            }
        }
    }
}
