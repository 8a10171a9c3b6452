package org.vqvae.core.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.util.ProgressBar;

import com.google.gson.JsonObject;

import org.vqvae.core.data.BatchLoader;
import org.vqvae.core.data.BatchPlan;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.data.MeanImage;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.io.ImageGrid;
import org.vqvae.core.io.NativeMemory;
import org.vqvae.core.model.CodeModel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Trains a {@link CodeModel} (VQ-VAE or VQ-VAE-2) with Adam on MSE + VQ loss, through DJL's {@link Trainer}: evaluates on
 * held-out images, appends to {@code metrics.jsonl}, checkpoints atomically, resumes, and writes
 * {@code summary.json} and {@code reconstructions.png} at the end. Every step's arrays live in a
 * per-step {@link NDManager} that is closed after the update, so memory stays flat. The model stays
 * usable after training: an uninitialised model gets its parameters in a new base manager.
 */
public final class VqVaeTrainer {

    private static final int WARMUP_STEPS = 5;

    private final CodeModel model;
    private final TrainingOptions options;
    private final PrintStream log;

    /**
     * Creates a trainer.
     *
     * @param model the model (initialised or not)
     * @param options the training options
     * @param log where evaluation lines go (the progress bar writes to stdout)
     */
    public VqVaeTrainer(CodeModel model, TrainingOptions options, PrintStream log) {
        this.model = model;
        this.options = options;
        this.log = log;
    }

    /**
     * Runs training to {@code options.steps()}.
     *
     * @param data training and held-out images
     * @param dataName how the data is named in the summary
     * @param device the device to train on
     * @return the summary (also written to {@code summary.json})
     * @throws IOException if writing outputs fails or a checkpoint to resume is unreadable
     */
    public TrainingSummary train(DataSpec.Splits<? extends ImageSource> data, String dataName, Device device) throws IOException {
        return train(data, dataName, List.of(device));
    }

    /**
     * Runs training to {@code options.steps()}, each batch split into parts data-parallel over
     * devices ({@link DataParallelStep}): {@code options.batchSize()} is the global batch.
     *
     * @param data training and held-out images
     * @param dataName how the data is named in the summary
     * @param partDevices the device of each part of a batch (repeats allowed); the first holds the parameters
     * @return the summary (also written to {@code summary.json})
     * @throws IOException if writing outputs fails or a checkpoint to resume is unreadable
     */
    public TrainingSummary train(DataSpec.Splits<? extends ImageSource> data, String dataName, List<Device> partDevices)
            throws IOException {
        DataParallelStep step = new DataParallelStep(partDevices);
        if (step.parts() > options.batchSize()) {
            throw new IllegalArgumentException("a batch of " + options.batchSize() + " cannot be split over "
                    + step.parts() + " devices");
        }
        Device[] devices = DataParallelStep.trainerDevices(partDevices);
        Device device = devices[0];
        ImageSource train = data.train();
        ImageSource test = data.test().evenlySpaced(options.evalImages());
        Path out = options.outDir();
        CheckpointableAdam adam = new CheckpointableAdam(options.schedule());
        DefaultTrainingConfig config = trainingConfig(adam, devices);
        if (step.parts() > 1) {
            log.printf(Locale.ROOT, "data-parallel: each batch of %d in %d parts on %s%n", options.batchSize(),
                    step.parts(), step.describe());
        }
        try (Model djl = Model.newInstance("vqvae", device)) {
            djl.setBlock(model);
            NDManager manager = djl.getNDManager();
            // the parameters outlive this method (the caller keeps using the model), so they do not
            // live in the Model's manager, which closes with it
            NDManager parameters = model.isInitialized()
                    ? model.getParameters().valueAt(0).getArray().getManager()
                    : NDManager.newBaseManager(device);
            long start = 0;
            boolean resumed = options.resume() && Checkpoint.exists(out);
            if (resumed) {
                Checkpoint.requireSameSchedule(out, options.schedule());
                Checkpoint.loadParameters(out, model, parameters);
            } else {
                model.initialize(parameters);
            }
            try (Trainer trainer = djl.newTrainer(config)) {
                if (resumed) {
                    start = Checkpoint.restoreTraining(out, model, adam, parameters);
                    log.printf("resuming %s at step %d%n", Checkpoint.locate(out), start);
                }
                Path metricsFile = out.resolve("metrics.jsonl");
                MetricsLog metrics = resumed ? MetricsLog.resumedAt(metricsFile, start) : new MetricsLog(metricsFile, false);
                // batch b is a function of b alone, so a resumed run sees the batches it would have seen
                BatchPlan plan = BatchPlan.shuffled(train.size(), options.batchSize(), options.seed());
                try (BatchLoader batches = new BatchLoader(train, plan, start, options.steps(), options.workers(),
                        Math.max(2, options.workers()))) {
                    try (StopRequest.Running busy = StopRequest.enter()) {
                        return loop(trainer, step, adam, batches, train, test, metrics, start, dataName, manager);
                    }
                }
            }
        }
    }

    /**
     * The DJL training configuration of every VQ-VAE run: MSE + VQ loss, the given Adam, one device.
     *
     * @param adam the optimizer
     * @param device the device
     * @return the configuration
     */
    public static DefaultTrainingConfig trainingConfig(CheckpointableAdam adam, Device device) {
        return trainingConfig(adam, new Device[] {device});
    }

    /**
     * The DJL training configuration of a VQ-VAE run on several devices (DJL mirrors the parameters
     * on each and sums their gradients).
     *
     * @param adam the optimizer
     * @param devices distinct devices, the first holding the parameters
     * @return the configuration
     */
    public static DefaultTrainingConfig trainingConfig(CheckpointableAdam adam, Device[] devices) {
        return new DefaultTrainingConfig(new VqVaeLoss()).optOptimizer(adam).optDevices(devices);
    }

    private TrainingSummary loop(Trainer trainer, DataParallelStep parallel, CheckpointableAdam adam,
            BatchLoader batches, ImageSource train, ImageSource test, MetricsLog metrics, long start, String dataName,
            NDManager manager) throws IOException {
        long steps = options.steps();
        CheckpointSeries checkpoints = new CheckpointSeries(options.outDir(), options.keepCheckpoints());
        int chunk = Evaluation.chunkFor(test);
        List<Double> stepMillis = new ArrayList<>();
        ProgressBar bar = new ProgressBar("Training", steps);
        long began = System.nanoTime();
        double loss = Double.NaN;
        for (long step = start; step < steps; step++) {
            ImageSet images = batches.next();
            long t0 = System.nanoTime();
            try (NDManager stepManager = manager.newSubManager()) {
                loss = parallel.run(trainer, new NDList(images.toImages(stepManager)));
            }
            if (step - start >= WARMUP_STEPS || steps - start <= WARMUP_STEPS) {
                stepMillis.add((System.nanoTime() - t0) / 1e6);
            }
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("training diverged: loss is " + loss + " at step " + (step + 1));
            }
            long done = step + 1;
            double elapsed = (System.nanoTime() - began) / 1e9;
            double eta = elapsed / (done - start) * (steps - done);
            double rate = (done - start) * (double) options.batchSize() / elapsed;
            bar.update(done - 1, String.format(Locale.ROOT, "step %d/%d loss %.5f %.0f img/s eta %s", done, steps, loss,
                    rate, duration(eta)));
            if (done % options.evalEvery() == 0 || done == steps) {
                Evaluation ev = Evaluation.of(model, test, manager, chunk, options.workers());
                NativeMemory.trim(); // the evaluation's peak goes back to the system
                JsonObject rec = new JsonObject();
                rec.addProperty("step", done);
                rec.addProperty("epoch", TrainingSummary.round((double) done * options.batchSize() / train.size(), 3));
                rec.addProperty("train_loss", TrainingSummary.round(loss, 6));
                rec.addProperty("test_mse", TrainingSummary.round(ev.mse(), 6));
                rec.addProperty("test_psnr", TrainingSummary.round(ev.psnr(), 3));
                rec.addProperty("perplexity", TrainingSummary.round(ev.perplexity(), 2));
                rec.addProperty("codebook_usage", TrainingSummary.round(ev.codebookUsage(), 4));
                if (model.levels() > 1) {
                    for (int l = 0; l < model.levels(); l++) {
                        rec.addProperty("perplexity_" + model.levelName(l), TrainingSummary.round(ev.levelPerplexity()[l], 2));
                        rec.addProperty("codebook_usage_" + model.levelName(l), TrainingSummary.round(ev.levelUsage()[l], 4));
                    }
                }
                rec.addProperty("elapsed_s", TrainingSummary.round(elapsed, 1));
                rec.addProperty("images_per_s", TrainingSummary.round(rate, 1));
                rec.addProperty("lr", (float) options.schedule().at(step));
                metrics.append(rec);
                if (done != steps) {
                    log.printf(Locale.ROOT, "%nstep %d: test_mse %.5f psnr %.2f dB perplexity %.1f usage %.3f%n",
                            done, ev.mse(), ev.psnr(), ev.perplexity(), ev.codebookUsage());
                }
            }
            if (done % options.checkpointEvery() == 0 || done == steps || StopRequest.requested()) {
                checkpoints.save(model, model.configJson(), adam, done, options.schedule());
            }
            if (StopRequest.requested() && done != steps) {
                throw new StopRequest.TrainingStopped(done, Checkpoint.locate(options.outDir()).toString());
            }
        }
        double trainSeconds = (System.nanoTime() - began) / 1e9;
        Evaluation last = Evaluation.of(model, test, manager, chunk, options.workers());
        writeReconstructions(options.outDir().resolve("reconstructions.png"), model, test, manager);
        double baseline = MeanImage.baselineMse(train, test, MeanImage.MAX_TRAIN_IMAGES, options.workers());
        TrainingSummary summary = new TrainingSummary(steps, options.batchSize(), median(stepMillis), last.mse(),
                last.psnr(), last.perplexity(), last.codebookUsage(), baseline, trainSeconds,
                engineThreads(), dataName, model.ema(), levelNames(model), last.levelPerplexity(), last.levelUsage());
        AtomicFiles.writeString(options.outDir().resolve("summary.json"), summary.toJson());
        return summary;
    }

    /**
     * Writes originals above their reconstructions: rows of 8 originals, each followed by a row of
     * their reconstructions, for the first 32 images.
     *
     * @param path the PNG file
     * @param model the model
     * @param images images to show
     * @param manager a manager for temporaries
     * @throws IOException on failure
     */
    public static void writeReconstructions(Path path, CodeModel model, ImageSource images, NDManager manager)
            throws IOException {
        writeReconstructions(path, model::reconstruct, images, manager);
    }

    /**
     * Writes originals above the images a function reconstructs from them (rows of 8, 32 images
     * evenly spaced through the set).
     *
     * @param path the PNG file
     * @param reconstruct images to reconstructions
     * @param images images to show
     * @param manager a manager for temporaries
     * @throws IOException on failure
     */
    public static void writeReconstructions(Path path, java.util.function.UnaryOperator<NDArray> reconstruct,
            ImageSource images, NDManager manager) throws IOException {
        // evenly spaced images, so a class-sorted set (image folders) shows every class
        ImageSource shown = images.evenlySpaced(32);
        int n = shown.size();
        int cols = 8;
        try (NDManager m = manager.newSubManager()) {
            NDArray x = shown.gather(0, n).toImages(m);
            NDArray r = reconstruct.apply(x);
            List<NDArray> rows = new ArrayList<>();
            for (int i = 0; i < n; i += cols) {
                int to = Math.min(n, i + cols);
                rows.add(x.get(i + ":" + to));
                rows.add(r.get(i + ":" + to));
            }
            NDArray grid = NDArrays.concat(new NDList(rows));
            ImageGrid.write(path, grid, cols);
        }
    }

    private static String[] levelNames(CodeModel model) {
        String[] names = new String[model.levels()];
        for (int l = 0; l < names.length; l++) {
            names[l] = model.levelName(l);
        }
        return names;
    }

    private static int engineThreads() {
        Integer t = Integer.getInteger("ai.djl.pytorch.num_threads");
        return t != null ? t : Runtime.getRuntime().availableProcessors();
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
