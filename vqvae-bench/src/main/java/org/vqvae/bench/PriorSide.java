package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.util.JsonUtils;
import ai.djl.util.Pair;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.vqvae.core.io.NamedArrays;
import org.vqvae.core.io.Npy;
import org.vqvae.core.train.CheckpointableAdam;
import org.vqvae.core.train.TrainingStep;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.GatedPixelCnn;
import org.vqvae.prior.PriorTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one side of the prior fidelity check computed from the same weights and batch: the step-1
 * logits, loss and gradients, and the losses of a few Adam steps on that batch.
 *
 * @param logits step-1 logits, flattened {@code [N, K, H, W]}
 * @param loss step-1 loss (mean NLL in nats per code)
 * @param grads step-1 gradient of every parameter, by our (DJL's) names
 * @param losses the loss before each of the steps and, last, after the final one
 */
record PriorSide(float[] logits, double loss, Map<String, float[]> grads, double[] losses) {

    /**
     * Runs our prior as {@link PriorTrainer} trains it: its loss, {@link CheckpointableAdam}, a
     * {@link Trainer} step; the first step by hand so that the gradients can be read before the
     * update. Changes the prior's weights.
     *
     * @param prior an initialised prior (dropout 0, so that training is deterministic)
     * @param batch {@code codes, labels[, condition]}, as a code set's batch
     * @param steps Adam steps
     * @param learningRate Adam's step size
     * @return our side
     */
    static PriorSide ours(CodePrior prior, NDList batch, int steps, float learningRate) {
        Loss loss = PriorTrainer.nllLoss();
        double[] losses = new double[steps + 1];
        Map<String, float[]> grads = new LinkedHashMap<>();
        float[] logits;
        try (Model model = Model.newInstance("fidelity", Device.cpu());
                Trainer trainer = newTrainer(model, prior, loss, learningRate)) {
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray out = trainer.forward(batch).head();
                NDArray value = loss.evaluate(batch, new NDList(out));
                collector.backward(value);
                logits = out.toFloatArray();
                losses[0] = value.getFloat();
            }
            for (Pair<String, Parameter> p : prior.getParameters()) {
                grads.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
            }
            trainer.step();
            for (int s = 1; s < steps; s++) {
                losses[s] = TrainingStep.run(trainer, batch);
            }
        }
        NDArray after = prior.logits(batch.get(0), batch.get(1), batch.size() > 2 ? batch.get(2) : null);
        losses[steps] = GatedPixelCnn.nll(after, batch.get(0)).getFloat();
        return new PriorSide(logits, losses[0], grads, losses);
    }

    private static Trainer newTrainer(Model model, CodePrior prior, Loss loss, float learningRate) {
        model.setBlock(prior);
        return model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(new CheckpointableAdam(learningRate))
                .optDevices(new Device[] {Device.cpu()}));
    }

    /**
     * Reads what {@code prior_fidelity.py} wrote.
     *
     * @param dir its directory
     * @param manager owner of temporaries
     * @return the replica's side
     * @throws IOException if a file is missing or unreadable
     */
    static PriorSide theirs(Path dir, NDManager manager) throws IOException {
        JsonObject json = JsonUtils.GSON.fromJson(Files.readString(dir.resolve("torch.json")), JsonObject.class);
        float[] logits = Npy.read(manager, dir.resolve("torch_logits.npy")).head().toFloatArray();
        Map<String, float[]> grads = new LinkedHashMap<>();
        NamedArrays.read(dir.resolve("torch_grads.npz"), manager).forEach((k, v) -> grads.put(k, v.toFloatArray()));
        JsonArray l = json.getAsJsonArray("losses");
        double[] losses = new double[l.size()];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = l.get(i).getAsDouble();
        }
        return new PriorSide(logits, json.get("loss").getAsDouble(), grads, losses);
    }
}
