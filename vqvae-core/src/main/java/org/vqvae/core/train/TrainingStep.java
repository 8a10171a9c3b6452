package org.vqvae.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;

/** One optimisation step through a DJL {@link Trainer}: forward, loss, backward, update. */
public final class TrainingStep {

    private TrainingStep() {}

    /**
     * Runs one step on a batch whose arrays live in a per-step manager (the step's temporaries
     * follow them and are freed when that manager closes). The batch is both the input and the
     * loss's label list: images for a VQ-VAE, codes and classes for a prior.
     *
     * @param trainer the trainer
     * @param batch the batch
     * @return the loss value (waits for the step to finish)
     */
    public static float run(Trainer trainer, NDList batch) {
        NDArray loss;
        try (GradientCollector collector = trainer.newGradientCollector()) {
            loss = trainer.getLoss().evaluate(batch, trainer.forward(batch));
            collector.backward(loss);
        }
        trainer.step();
        return loss.getFloat();
    }
}
