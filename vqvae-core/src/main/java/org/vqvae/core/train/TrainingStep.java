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
        return run(trainer, batch, null);
    }

    /**
     * Runs one step and shows its outputs, loss and gradients to an observer between the backward
     * pass and the update (how the fidelity check reads the loss terms and gradients of the very
     * step the CLI takes).
     *
     * @param trainer the trainer
     * @param batch the batch
     * @param observer called after backward, before the update; may be null
     * @return the loss value
     */
    public static float run(Trainer trainer, NDList batch, Observer observer) {
        NDArray loss;
        try (GradientCollector collector = trainer.newGradientCollector()) {
            NDList outputs = trainer.forward(batch);
            loss = trainer.getLoss().evaluate(batch, outputs);
            collector.backward(loss);
            if (observer != null) {
                observer.afterBackward(outputs, loss);
            }
        }
        trainer.step();
        return loss.getFloat();
    }

    /** Sees a step after its backward pass, before the optimizer changes the parameters. */
    @FunctionalInterface
    public interface Observer {
        /**
         * Called once per step.
         *
         * @param outputs the model's forward outputs
         * @param loss the scalar loss
         */
        void afterBackward(NDList outputs, NDArray loss);
    }
}
