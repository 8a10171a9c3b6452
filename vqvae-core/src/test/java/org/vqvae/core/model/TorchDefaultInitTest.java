package org.vqvae.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import org.junit.jupiter.api.Test;

/**
 * A fresh model starts as PyTorch starts its twin (the trajectory check loads PyTorch's weights, so
 * it cannot see this): convolution weights and biases uniform in {@code +-1/sqrt(fan_in)} with
 * PyTorch's fan_in ({@code weight.shape[1] * kH * kW}, for ConvTranspose2d's {@code [in, out, kH, kW]}
 * too), the codebook uniform in {@code +-1/K}.
 */
class TorchDefaultInitTest {

    @Test
    void everyParameterIsDrawnAsInPyTorch() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            VqVae model = new VqVae(VqVaeConfig.paper(1, 28, 28));
            model.initialize(m);
            Shape lastWeight = null;
            for (Pair<String, Parameter> p : model.getParameters()) {
                String name = p.getKey();
                float[] v = p.getValue().getArray().toFloatArray();
                Shape s = p.getValue().getArray().getShape();
                double bound;
                if (name.endsWith("codebook")) {
                    bound = 1.0 / 512;
                } else if (name.endsWith("weight")) {
                    lastWeight = s;
                    bound = 1 / Math.sqrt(s.get(1) * s.get(2) * s.get(3));
                } else {
                    bound = 1 / Math.sqrt(lastWeight.get(1) * lastWeight.get(2) * lastWeight.get(3));
                }
                double sq = 0;
                for (float x : v) {
                    assertTrue(Math.abs(x) <= bound * (1 + 1e-6), name + ": " + x + " outside +-" + bound);
                    sq += (double) x * x;
                }
                if (v.length >= 4096) { // a uniform's spread: sd = bound / sqrt(3)
                    assertEquals(bound / Math.sqrt(3), Math.sqrt(sq / v.length), 0.05 * bound, name);
                }
            }
        }
    }
}
