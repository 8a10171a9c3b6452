package org.vqvae.bench;

import java.util.List;
import java.util.Map;

/**
 * What a short training run did, step by step: the record both sides of the trajectory check
 * produce (PyTorch's read from {@code fidelity.py}'s files, ours from {@link TrajectoryReplay}).
 *
 * @param steps per step: total loss, reconstruction MSE, the quantizer's loss
 * @param gradNorms L2 norm of every gradient at step 1, by vqvae-djl parameter name
 * @param initial every parameter before training
 * @param afterFirst every parameter after step 1
 * @param afterLast every parameter after the last step
 */
public record Trajectory(List<Terms> steps, Map<String, Double> gradNorms, Map<String, float[]> initial,
        Map<String, float[]> afterFirst, Map<String, float[]> afterLast) {

    /**
     * The loss terms of one step.
     *
     * @param loss the total loss
     * @param recon the reconstruction MSE
     * @param vq the quantizer's loss (codebook and commitment terms)
     */
    public record Terms(double loss, double recon, double vq) {}
}
