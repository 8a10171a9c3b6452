package org.vqvae.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.Locale;
import java.util.Map;

/**
 * The report's data-loader section: each {@link LoaderBenchmark} pipeline's images/s beside
 * torchvision's on the same folder with as many workers, their ratio (torchvision's rate over
 * ours, which is our time per image over theirs: at or below 1.0 we are no slower, as in the
 * main table), and the rate at which the VQ-VAE-2 256x256 training step consumes images, to show
 * whether the loader keeps up.
 */
final class LoaderTable {

    /** The training figure the loader is set beside. */
    static final String TRAINING_ID = "train-vqvae2-256";

    private final LoaderBenchmark.Results ours;
    private final Map<String, JsonObject> theirs;
    private final JsonObject peer;
    private final String content;
    private final double trainingOurs;
    private final double trainingTheirs;
    private final int trainingBatch;

    /**
     * Builds the section.
     *
     * @param ours our figures
     * @param theirs torchvision's figures by id ({@code loader-folder-wW}), each with {@code images_per_s}
     * @param peer what ran the counterpart, and its status
     * @param content what the folder's images were made from
     * @param training our training step figure, or null when not measured in this run
     * @param theirTrainingMs PyTorch's ms for the same step, NaN without
     */
    LoaderTable(LoaderBenchmark.Results ours, Map<String, JsonObject> theirs, JsonObject peer, String content,
            BenchReport.Figure training, double theirTrainingMs) {
        this.ours = ours;
        this.theirs = theirs;
        this.peer = peer;
        this.content = content;
        this.trainingBatch = training == null ? 16 : FigureIds.batch(training.params().get("model"));
        this.trainingOurs = training == null ? Double.NaN : trainingBatch / (training.ms() / 1000);
        this.trainingTheirs = trainingBatch / (theirTrainingMs / 1000);
    }

    /** Torchvision's images/s for the same number of workers (it reads the folder in every row). */
    double theirRate(LoaderBenchmark.Figure f) {
        JsonObject o = theirs.get("loader-folder-w" + f.workers());
        return o == null ? Double.NaN : o.get("images_per_s").getAsDouble();
    }

    /** Torchvision's rate over ours: at or below 1.0 we are no slower. */
    double ratio(LoaderBenchmark.Figure f) {
        return theirRate(f) / f.imagesPerSecond();
    }

    /** Our loader's rate over our training step's: at or above 1.0 the loader keeps up. */
    double overTraining(LoaderBenchmark.Figure f) {
        return f.imagesPerSecond() / trainingOurs;
    }

    JsonObject json() {
        JsonObject o = new JsonObject();
        LoaderBenchmark.Settings s = ours.settings();
        o.addProperty("images", ours.images());
        o.addProperty("content", content);
        o.addProperty("size", s.size());
        o.addProperty("batch", s.batch());
        o.addProperty("warmup_batches", s.warmup());
        o.addProperty("timed_batches", s.batches());
        o.addProperty("ratio", "torchvision images/s over ours (= our time per image over theirs): <= 1.0 means"
                + " we are no slower");
        o.add("torchvision", peer);
        JsonObject prep = new JsonObject();
        prep.addProperty("images", ours.prepare().images());
        prep.addProperty("workers", ours.prepare().workers());
        put(prep, "seconds", ours.prepare().seconds());
        put(prep, "images_per_s", ours.prepare().imagesPerSecond());
        o.add("prepare", prep);
        JsonObject train = new JsonObject();
        train.addProperty("id", TRAINING_ID);
        train.addProperty("batch", trainingBatch);
        put(train, "ours_images_per_s", trainingOurs);
        put(train, "pytorch_images_per_s", trainingTheirs);
        o.add("training", train);
        JsonArray rows = new JsonArray();
        for (LoaderBenchmark.Figure f : ours.figures()) {
            JsonObject r = f.json();
            r.addProperty("torchvision_id", "loader-folder-w" + f.workers());
            put(r, "torchvision_images_per_s", theirRate(f));
            put(r, "ratio_torchvision_rate_over_ours", ratio(f));
            put(r, "ours_over_training", overTraining(f));
            rows.add(r);
        }
        o.add("rows", rows);
        return o;
    }

    String markdown() {
        LoaderBenchmark.Settings s = ours.settings();
        StringBuilder md = new StringBuilder("\n## Data loader beside torchvision\n\n");
        md.append(String.format(Locale.ROOT, "A folder of %d JPEGs at ImageNet's sizes (%s), read into %dx%d batches of"
                + " %d as training takes them: decode, resize the short side to %d, centre crop, batch, and make the"
                + " float [B, 3, %d, %d] array in [-0.5, 0.5]; %d batches of warm-up, then %d timed, reshuffled every"
                + " epoch. torchvision: `ImageFolder` + `Compose([Resize(%d), CenterCrop(%d), ToTensor(),"
                + " Normalize(0.5, 1)])` + `DataLoader(batch_size=%d, num_workers=W, shuffle=True, drop_last=True,"
                + " persistent_workers=W > 0)` on the same folder (%s). Ours with W workers decodes on W threads"
                + " and makes the array on the consumer's; torchvision's workers make whole batches each and its"
                + " W = 0 runs in the consumer. Shards (`vqvae prepare`) hold the images already resized and cropped;"
                + " torchvision has no such form, so the shard rows stand beside torchvision reading the JPEGs,"
                + " the pipeline they replace.%n%n",
                ours.images(), content, s.size(), s.size(), s.batch(), s.size(), s.size(), s.size(), s.warmup(),
                s.batches(), s.size(), s.size(), s.batch(), peer.has("peer") ? peer.get("peer").getAsString() + ", "
                        + peer.get("status").getAsString() : peer.get("status").getAsString()));
        md.append("Ratio = torchvision's images/s / ours (our time per image / theirs): at or below 1.0 we are no"
                + " slower. Ours / training = our loader's images/s / the images/s of our " + TRAINING_ID
                + " training step (batch " + trainingBatch + "): at or above 1.0 the loader keeps up with training,"
                + " measured apart (in a run, both share the cores).\n\n");
        md.append("| pipeline | workers | ours images/s | torchvision images/s | ratio | ours / training |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (LoaderBenchmark.Figure f : ours.figures()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", f.source(), f.workers(),
                    BenchReport.fmt(f.imagesPerSecond()), BenchReport.fmt(theirRate(f)),
                    Double.isNaN(ratio(f)) ? "-" : "**" + BenchReport.fmt(ratio(f)) + "**",
                    BenchReport.fmt(overTraining(f))));
        }
        md.append(String.format(Locale.ROOT, "%nTraining for context: %s, batch %d, consumes %s images/s here"
                + " (PyTorch eager: %s). Preparing the shards: %s images/s with %d threads (%d images in %s s);"
                + " torchvision has no counterpart.%n", TRAINING_ID, trainingBatch,
                Double.isNaN(trainingOurs) ? "(not measured in this run)" : BenchReport.fmt(trainingOurs),
                BenchReport.fmt(trainingTheirs), BenchReport.fmt(ours.prepare().imagesPerSecond()),
                ours.prepare().workers(), ours.prepare().images(), BenchReport.fmt(ours.prepare().seconds())));
        return md.toString();
    }

    private static void put(JsonObject o, String key, double v) {
        if (!Double.isNaN(v) && !Double.isInfinite(v)) {
            o.addProperty(key, Math.round(v * 100) / 100.0);
        }
    }
}
