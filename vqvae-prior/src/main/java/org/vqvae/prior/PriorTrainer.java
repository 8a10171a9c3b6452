package org.vqvae.prior;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.util.ProgressBar;

import com.google.gson.JsonObject;

import org.vqvae.core.io.NativeMemory;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.CheckpointSeries;
import org.vqvae.core.train.CheckpointableAdam;
import org.vqvae.core.train.MetricsLog;
import org.vqvae.core.train.DataParallelStep;
import org.vqvae.core.train.StopRequest;
import org.vqvae.core.train.TrainingOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Trains a {@link CodePrior} (Gated PixelCNN or PixelSNAIL) on labelled code maps by maximum likelihood (cross-entropy per
 * position) with Adam, evaluating held-out bits per code, logging {@code metrics.jsonl}, keeping a
 * {@link CheckpointSeries} and resuming as the VQ-VAE trainer does.
 */
public final class PriorTrainer {

    private static final double LN2 = Math.log(2);

    /**
     * What a prior training run achieved.
     *
     * @param steps steps done
     * @param msPerStep median step time after warm-up
     * @param trainBitsPerCode last training batch's NLL in bits per code
     * @param testBitsPerCode held-out NLL in bits per code
     */
    public record Result(long steps, double msPerStep, double trainBitsPerCode, double testBitsPerCode) {}

    private final CodePrior prior;
    private final TrainingOptions options;
    private final PrintStream log;

    /**
     * Creates a trainer with a constant learning rate that checkpoints at every evaluation.
     *
     * @param prior the prior
     * @param steps optimisation steps
     * @param batch maps per step
     * @param learningRate Adam step size
     * @param seed seeds batch order
     * @param evalEvery evaluate and checkpoint every this many steps (and at the end)
     * @param out run directory
     * @param log where evaluation lines go
     */
    public PriorTrainer(CodePrior prior, long steps, int batch, float learningRate, long seed, long evalEvery,
            Path out, PrintStream log) {
        this(prior, new TrainingOptions(steps, batch, learningRate, seed, evalEvery, out, false, 0,
                TrainingOptions.ALL_IMAGES), log);
    }

    /**
     * Creates a trainer. Of the options, the step count, batch size, learning-rate schedule, seed
     * (of the batch order), evaluation and checkpoint intervals, run directory and resumption apply;
     * the image-decoding settings do not.
     *
     * @param prior the prior
     * @param options the training options
     * @param log where evaluation lines go
     */
    public PriorTrainer(CodePrior prior, TrainingOptions options, PrintStream log) {
        this.prior = prior;
        this.options = options;
        this.log = log;
    }

    /**
     * Trains, or with {@code options.resume()} continues from the newest checkpoint of the run
     * directory: its parameters, Adam state, step, the same batch draws and learning rates.
     *
     * @param train training maps
     * @param test held-out maps
     * @param device the device
     * @return the result
     * @throws IOException if writing fails or the checkpoint to resume does not fit the prior
     */
    public Result train(CodeSet train, CodeSet test, Device device) throws IOException {
        return train(train, test, List.of(device));
    }

    /**
     * Trains with each batch split into parts data-parallel over devices ({@link DataParallelStep});
     * the batch given to the constructor is the global batch.
     *
     * @param train training maps
     * @param test held-out maps
     * @param partDevices the device of each part of a batch (repeats allowed); the first holds the parameters
     * @return the result
     * @throws IOException if writing fails
     */
    public Result train(CodeSet train, CodeSet test, List<Device> partDevices) throws IOException {
        DataParallelStep parallel = new DataParallelStep(partDevices);
        if (parallel.parts() > options.batchSize()) {
            throw new IllegalArgumentException("a batch of " + options.batchSize() + " cannot be split over " + parallel.parts()
                    + " devices");
        }
        Device[] devices = DataParallelStep.trainerDevices(partDevices);
        Device device = devices[0];
        if (parallel.parts() > 1) {
            log.printf(Locale.ROOT, "data-parallel: each batch of %d in %d parts on %s%n", options.batchSize(), parallel.parts(),
                    parallel.describe());
        }
        // checked sets: codes in memory are checked now, memory-mapped ones batch by batch
        CodeSet trainSet = train.check(prior, "training codes");
        CodeSet testSet = test.check(prior, "held-out codes");
        Path out = options.outDir();
        long steps = options.steps();
        CheckpointableAdam adam = new CheckpointableAdam(options.schedule());
        CheckpointSeries checkpoints = new CheckpointSeries(out, options.keepCheckpoints());
        Loss loss = nllLoss();
        try (Model model = Model.newInstance("prior", device)) {
            model.setBlock(prior);
            NDManager manager = model.getNDManager();
            if (!prior.isInitialized()) {
                prior.initialize(NDManager.newBaseManager(device)); // outlives the Model's manager
            }
            NDManager parameters = prior.getParameters().valueAt(0).getArray().getManager();
            boolean resumed = options.resume() && Checkpoint.exists(out);
            if (resumed) {
                if (!Checkpoint.readConfigJson(out).equals(prior.configJson())) {
                    throw new IOException("--resume: checkpoint " + Checkpoint.locate(out) + " holds a prior of"
                            + " other flags or codes; use the same flags or a new --out");
                }
                Checkpoint.requireSameSchedule(out, options.schedule());
                Checkpoint.loadInitialized(out, prior, parameters);
            }
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(adam)
                    .optDevices(devices));
                    StopRequest.Running busy = StopRequest.enter()) {
                long start = 0;
                if (resumed) {
                    start = Checkpoint.restoreTraining(out, prior, adam, parameters);
                    log.printf("resuming %s at step %d%n", Checkpoint.locate(out), start);
                }
                Path metricsFile = out.resolve("metrics.jsonl");
                MetricsLog metrics = resumed ? MetricsLog.resumedAt(metricsFile, start) : new MetricsLog(metricsFile, false);
                CodeBatchOrder order = new CodeBatchOrder(options.seed(), trainSet.count(), options.batchSize(), start);
                List<Double> times = new ArrayList<>();
                ProgressBar bar = new ProgressBar("Prior", steps);
                long began = System.nanoTime();
                double last = Double.NaN;
                double testBits = Double.NaN;
                for (long step = start; step < steps; step++) {
                    int[] idx = order.next();
                    long t0 = System.nanoTime();
                    try (NDManager sm = manager.newSubManager()) {
                        last = parallel.run(trainer, trainSet.batch(sm, idx)) / LN2;
                    }
                    if (!Double.isFinite(last)) {
                        // stop before a checkpoint of non-finite weights replaces the last good one
                        throw new IllegalStateException("training diverged: loss is " + last + " bits/code at step "
                                + (step + 1) + "; try a lower --lr");
                    }
                    if (step - start >= 5 || steps - start <= 5) {
                        times.add((System.nanoTime() - t0) / 1e6);
                    }
                    long done = step + 1;
                    double elapsed = (System.nanoTime() - began) / 1e9;
                    double rate = (done - start) * (double) idx.length / elapsed;
                    bar.update(done - 1, String.format(Locale.ROOT, "step %d/%d %.3f bits/code %.0f maps/s eta %ds",
                            done, steps, last, rate, Math.round(elapsed / (done - start) * (steps - done))));
                    if (done % options.evalEvery() == 0 || done == steps) {
                        testBits = bitsPerCode(prior, testSet, manager);
                        NativeMemory.trim(); // the evaluation's peak goes back to the system
                        JsonObject rec = new JsonObject();
                        rec.addProperty("step", done);
                        rec.addProperty("train_bits_per_code", last);
                        rec.addProperty("test_bits_per_code", testBits);
                        rec.addProperty("elapsed_s", elapsed);
                        // one code map stands for one image
                        rec.addProperty("images_per_s", Math.round(rate * 10) / 10.0);
                        rec.addProperty("lr", (float) options.schedule().at(step));
                        metrics.append(rec);
                        if (done != steps) {
                            log.printf(Locale.ROOT, "%nprior step %d: held-out %.4f bits/code%n", done, testBits);
                        }
                    }
                    if (done % options.checkpointEvery() == 0 || done == steps || StopRequest.requested()) {
                        checkpoints.save(prior, prior.configJson(), adam, done, options.schedule());
                    }
                    if (StopRequest.requested() && done != steps) {
                        throw new StopRequest.TrainingStopped(done, Checkpoint.locate(out).toString());
                    }
                }
                if (start >= steps) {
                    // a finished run resumed: nothing to train, the held-out figure is still reported
                    testBits = bitsPerCode(prior, testSet, manager);
                }
                Collections.sort(times);
                return new Result(steps, times.isEmpty() ? Double.NaN : times.get(times.size() / 2), last, testBits);
            }
        }
    }

    /**
     * The loss this trainer minimises: {@link GatedPixelCnn#nll} of the prediction against the
     * batch's codes (its first array), a mean over positions and maps.
     *
     * @return the loss
     */
    public static Loss nllLoss() {
        return new Loss("nll") {
            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                return GatedPixelCnn.nll(predictions.head(), labels.head());
            }
        };
    }

    /**
     * Held-out negative log-likelihood in bits per code (per position of the map).
     *
     * @param prior the prior
     * @param codes the maps
     * @param manager a manager for temporaries
     * @return bits per code
     */
    public static double bitsPerCode(CodePrior prior, CodeSet codes, NDManager manager) {
        double nats = 0;
        int chunk = 256;
        for (int from = 0; from < codes.count(); from += chunk) {
            int to = Math.min(codes.count(), from + chunk);
            int[] idx = new int[to - from];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            try (NDManager sm = manager.newSubManager()) {
                NDList in = codes.batch(sm, idx);
                NDArray logits = prior.logits(in.get(0), in.get(1), in.size() > 2 ? in.get(2) : null);
                nats += GatedPixelCnn.nll(logits, in.get(0)).getFloat() * idx.length;
            }
        }
        return nats / codes.count() / LN2;
    }
}
