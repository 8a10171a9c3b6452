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

import org.vqvae.core.train.Checkpoint;
import org.vqvae.core.train.CheckpointableAdam;
import org.vqvae.core.train.MetricsLog;
import org.vqvae.core.train.DataParallelStep;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Trains a {@link CodePrior} (Gated PixelCNN or PixelSNAIL) on labelled code maps by maximum likelihood (cross-entropy per
 * position) with Adam, evaluating held-out bits per code, logging {@code metrics.jsonl} and
 * checkpointing as the VQ-VAE trainer does.
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
    private final long steps;
    private final int batch;
    private final float learningRate;
    private final long seed;
    private final long evalEvery;
    private final Path out;
    private final PrintStream log;

    /**
     * Creates a trainer.
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
        if (steps < 1 || batch < 1 || evalEvery < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("steps, batch and evaluation interval must be >= 1 and lr > 0");
        }
        this.prior = prior;
        this.steps = steps;
        this.batch = batch;
        this.learningRate = learningRate;
        this.seed = seed;
        this.evalEvery = evalEvery;
        this.out = out;
        this.log = log;
    }

    /**
     * Trains.
     *
     * @param train training maps
     * @param test held-out maps
     * @param device the device
     * @return the result
     * @throws IOException if writing fails
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
        if (parallel.parts() > batch) {
            throw new IllegalArgumentException("a batch of " + batch + " cannot be split over " + parallel.parts()
                    + " devices");
        }
        Device[] devices = DataParallelStep.trainerDevices(partDevices);
        Device device = devices[0];
        if (parallel.parts() > 1) {
            log.printf(Locale.ROOT, "data-parallel: each batch of %d in %d parts on %s%n", batch, parallel.parts(),
                    parallel.describe());
        }
        // checked sets: codes in memory are checked now, memory-mapped ones batch by batch
        CodeSet trainSet = train.check(prior, "training codes");
        CodeSet testSet = test.check(prior, "held-out codes");
        CheckpointableAdam adam = new CheckpointableAdam(learningRate);
        Loss loss = nllLoss();
        try (Model model = Model.newInstance("prior", device)) {
            model.setBlock(prior);
            NDManager manager = model.getNDManager();
            if (!prior.isInitialized()) {
                prior.initialize(NDManager.newBaseManager(device)); // outlives the Model's manager
            }
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(adam)
                    .optDevices(devices))) {
                MetricsLog metrics = new MetricsLog(out.resolve("metrics.jsonl"), false);
                Random random = new Random(seed);
                List<Double> times = new ArrayList<>();
                ProgressBar bar = new ProgressBar("Prior", steps);
                long began = System.nanoTime();
                double last = Double.NaN;
                double testBits = Double.NaN;
                for (long step = 0; step < steps; step++) {
                    int[] idx = new int[Math.min(batch, trainSet.count())];
                    for (int i = 0; i < idx.length; i++) {
                        idx[i] = random.nextInt(trainSet.count());
                    }
                    long t0 = System.nanoTime();
                    try (NDManager sm = manager.newSubManager()) {
                        last = parallel.run(trainer, trainSet.batch(sm, idx)) / LN2;
                    }
                    if (step >= 5 || steps <= 5) {
                        times.add((System.nanoTime() - t0) / 1e6);
                    }
                    long done = step + 1;
                    double elapsed = (System.nanoTime() - began) / 1e9;
                    bar.update(done - 1, String.format(Locale.ROOT, "step %d/%d %.3f bits/code eta %ds", done, steps,
                            last, Math.round(elapsed / done * (steps - done))));
                    if (done % evalEvery == 0 || done == steps) {
                        testBits = bitsPerCode(prior, testSet, manager);
                        JsonObject rec = new JsonObject();
                        rec.addProperty("step", done);
                        rec.addProperty("train_bits_per_code", last);
                        rec.addProperty("test_bits_per_code", testBits);
                        rec.addProperty("elapsed_s", elapsed);
                        metrics.append(rec);
                        Checkpoint.save(out, prior, prior.configJson(), adam, done);
                        if (done != steps) {
                            log.printf(Locale.ROOT, "%nprior step %d: held-out %.4f bits/code%n", done, testBits);
                        }
                    }
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
