package org.vqvae.spark;

import ai.djl.ndarray.types.Shape;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.io.NpyType;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Evaluation;
import org.vqvae.prior.CodeSet;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vqvae spark extract-codes}: the files of {@code vqvae extract-codes} (each split's code
 * maps per level, labels, {@code meta.json}), byte for byte, encoded by the executors, plus the
 * same codes as Parquet. Each split is cut into ranges of whole encoding chunks ({@link
 * Evaluation#chunkFor}, the single-machine command's batches, so every forward pass sees the very
 * same images); a task encodes one range with its JVM's model ({@link ModelCache}) and commits its
 * parts ({@link ExtractTask}); the driver then assembles the ordered files ({@link CodeParts}).
 */
public final class ExtractCodesJob {

    private ExtractCodesJob() {}

    /**
     * What to encode and where.
     *
     * @param model the model directory (local path or URI)
     * @param data the data specification
     * @param valData the held-out data's specification, or null
     * @param out the output directory (local path or URI)
     * @param parquet where the Parquet form goes, or null for none
     * @param imageSize the side image folders are read at, or null for the model's
     * @param strict fail on an unreadable image instead of skipping it
     * @param workers decoding threads per task
     * @param threads libtorch intra-op threads per executor (0: its default)
     * @param chunksPerTask encoding chunks per task, or 0 to choose from the cluster's parallelism
     */
    public record Request(String model, String data, String valData, String out, String parquet, Integer imageSize,
            boolean strict, int workers, int threads, int chunksPerTask) implements Serializable {}

    /**
     * What was written.
     *
     * @param train training images encoded
     * @param test held-out images encoded
     * @param tasks tasks the job ran
     * @param shapes a description of the levels' code maps, for the closing line
     * @param taskSeconds the tasks' time decoding and encoding, summed (model loading left out)
     */
    public record Result(int train, int test, int tasks, String shapes, double taskSeconds) {}

    /** A range of one split that one task encodes. */
    record Range(int task, boolean test, int from, int to) implements Serializable {}

    /**
     * Runs the job.
     *
     * @param spark the session
     * @param r the request
     * @return what was written
     * @throws IOException if the model or data cannot be read or an output written
     */
    public static Result run(SparkSession spark, Request r) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        HadoopFiles files = HadoopFiles.of(sc.hadoopConfiguration());
        String modelKey = modelKey(r.model());
        CodeModel model = ModelCache.get(modelKey, files, r.threads());
        Shape in = model.inputShape(1);
        int size = r.imageSize() != null ? r.imageSize() : (int) in.get(2);
        DataPlan plan = DataPlan.of(r.data(), r.valData(), size, r.strict(), (int) in.get(1), sc);
        DataSpec.Splits<ImageSource> splits = plan.open();
        checkFits(r.data(), splits.train(), in);
        checkFits(r.data(), splits.test(), in);

        Path out = HadoopFiles.path(r.out());
        FileSystem fs = files.fs(out);
        fs.mkdirs(out);
        Path partsDir = new Path(out, CodeParts.DIR);
        fs.delete(partsDir, true); // what an earlier, failed run left
        fs.mkdirs(partsDir);

        List<Range> ranges = new ArrayList<>();
        int per = r.chunksPerTask() > 0 ? r.chunksPerTask()
                : chunksPerTask(splits, 3 * Math.max(1, sc.defaultParallelism()));
        addRanges(ranges, splits.train(), false, per);
        addRanges(ranges, splits.test(), true, per);

        ExtractTask task = new ExtractTask(modelKey, plan, files, out.toString(), r.parquet() != null, r.workers(),
                r.threads());
        JavaRDD<Row> rows = sc.parallelize(ranges, ranges.size()).mapPartitions(task);
        if (r.parquet() != null) {
            spark.createDataFrame(rows, schema(model)).write().mode(SaveMode.Overwrite)
                    .parquet(HadoopFiles.path(r.parquet()).toString());
        } else {
            rows.foreach(row -> { });
        }

        int maxLabel = -1;
        double squared = 0;
        long nanos = 0;
        List<int[]> trainParts = new ArrayList<>();
        List<int[]> testParts = new ArrayList<>();
        for (Range range : ranges) {
            JsonObject done = readJson(fs, new Path(partsDir, CodeParts.doneName(range.task())));
            maxLabel = Math.max(maxLabel, done.get("max_label").getAsInt());
            nanos += done.get("encode_nanos").getAsLong();
            for (var f : done.getAsJsonArray("squared")) {
                squared += Float.intBitsToFloat(f.getAsInt()); // in chunk order, as Evaluation adds them
            }
            (range.test() ? testParts : trainParts).add(new int[] {range.task(), range.to() - range.from()});
        }
        int levels = model.levels();
        for (String split : new String[] {"train", "test"}) {
            List<int[]> parts = split.equals("train") ? trainParts : testParts;
            for (int l = 0; l < levels; l++) {
                int[] hw = model.codeSize(l);
                CodeParts.assemble(files, out, codesFile(model, split, l), codeType(model, l), new long[] {hw[0], hw[1]},
                        parts);
            }
            CodeParts.assemble(files, out, CodeSet.labelsFile(split), NpyType.I4, new long[0], parts);
        }
        double mse = squared / ((long) splits.test().size() * splits.test().imageBytes());
        JsonObject meta = meta(r, model, maxLabel + 1, mse);
        files.publish(out, "meta.json", os -> os.write((JsonUtils.GSON_PRETTY.toJson(meta) + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        fs.delete(partsDir, true);
        return new Result(splits.train().size(), splits.test().size(), ranges.size(), shapes(model), nanos / 1e9);
    }

    /** The model's key and path for every JVM: a local path made absolute, a URI as it is. */
    static String modelKey(String model) {
        return HadoopFiles.isUri(model) ? model : java.nio.file.Path.of(model).toAbsolutePath().toString();
    }

    static String codesFile(CodeModel model, String split, int level) {
        return CodeSet.codesFile(split, model.levels() == 1 ? null : model.levelName(level));
    }

    /** {@code CodeExtraction}'s type: uint16 where the codes fit, else int32. */
    static NpyType codeType(CodeModel model, int level) {
        return model.numCodes(level) <= 1 << 16 ? NpyType.U2 : NpyType.I4;
    }

    private static void checkFits(String data, ImageSource images, Shape want) {
        if (images.channels() != want.get(1) || images.height() != want.get(2) || images.width() != want.get(3)) {
            throw new IllegalArgumentException(data + " holds " + images.shapeText()
                    + " images but the model was trained on " + want.get(1) + "x" + want.get(2) + "x" + want.get(3));
        }
    }

    /** Whole chunks per task, so that the job has about {@code target} tasks. */
    private static int chunksPerTask(DataSpec.Splits<ImageSource> splits, int target) {
        long chunks = chunks(splits.train()) + chunks(splits.test());
        return (int) Math.max(1, (chunks + target - 1) / target);
    }

    private static long chunks(ImageSource s) {
        int chunk = Evaluation.chunkFor(s);
        return (s.size() + chunk - 1) / chunk;
    }

    private static void addRanges(List<Range> ranges, ImageSource split, boolean test, int chunksPerTask) {
        int step = Math.multiplyExact(Evaluation.chunkFor(split), chunksPerTask);
        int n = split.size();
        for (int from = 0; from < n; from += step) {
            ranges.add(new Range(ranges.size(), test, from, (int) Math.min(n, (long) from + step)));
        }
        if (n == 0) {
            ranges.add(new Range(ranges.size(), test, 0, 0));
        }
    }

    /** The Parquet rows' schema: split, index in the split, source, label, one int array per level. */
    static StructType schema(CodeModel model) {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField("split", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("index", DataTypes.IntegerType, false));
        f.add(DataTypes.createStructField("path", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("label", DataTypes.IntegerType, false));
        for (int l = 0; l < model.levels(); l++) {
            f.add(DataTypes.createStructField(model.levels() == 1 ? "codes" : "codes_" + model.levelName(l),
                    DataTypes.createArrayType(DataTypes.IntegerType, false), false));
        }
        return DataTypes.createStructType(f);
    }

    /** {@code meta.json} as {@code vqvae extract-codes} writes it, key for key. */
    private static JsonObject meta(Request r, CodeModel model, int numClasses, double mse) {
        JsonObject meta = new JsonObject();
        meta.addProperty("num_classes", numClasses);
        Shape in = model.inputShape(1);
        meta.addProperty("image_dims", in.get(1) * in.get(2) * in.get(3));
        meta.addProperty("test_mse", mse);
        meta.addProperty("model", modelKey(r.model()));
        meta.addProperty("data", r.data());
        if (r.valData() != null) {
            meta.addProperty("val_data", r.valData());
        }
        describe(meta, model, 0);
        if (model.levels() > 1) {
            JsonArray names = new JsonArray();
            for (int l = 0; l < model.levels(); l++) {
                String name = model.levelName(l);
                names.add(name);
                JsonObject level = new JsonObject();
                describe(level, model, l);
                meta.add("level_" + name, level);
            }
            meta.add("levels", names);
        }
        return meta;
    }

    private static String shapes(CodeModel model) {
        if (model.levels() == 1) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        for (int l = 0; l < model.levels(); l++) {
            s.append(l == 0 ? " (" : ", ").append(model.levelName(l)).append(' ').append(model.codeSize(l)[0])
                    .append('x').append(model.codeSize(l)[1]);
        }
        return s.append(')').toString();
    }

    private static void describe(JsonObject o, CodeModel model, int level) {
        o.addProperty("num_codes", model.numCodes(level));
        o.addProperty("height", model.codeSize(level)[0]);
        o.addProperty("width", model.codeSize(level)[1]);
    }

    private static JsonObject readJson(FileSystem fs, Path p) throws IOException {
        if (!fs.exists(p)) {
            throw new IOException("task output " + p + " is missing: the job did not complete");
        }
        try (FSDataInputStream in = fs.open(p)) {
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }
}
