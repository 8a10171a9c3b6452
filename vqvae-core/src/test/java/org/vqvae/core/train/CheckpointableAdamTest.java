package org.vqvae.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.Test;

/**
 * Adam follows PyTorch's {@code torch.optim.Adam} to float rounding, gradients far below epsilon's
 * scale included (a codebook's gradients are means over every element of a batch, about 1e-7).
 */
class CheckpointableAdamTest {

    @Test
    void stepsMatchPyTorchsFormulaForTinyAndLargeGradients() {
        float lr = 2e-4f;
        double[] w = {0.5, -0.25, 0.1, 0.0, 1.0};
        double[][] grads = {{1e-7, -3e-8, 1e-3, 2e-9, 0.5}, {2e-7, -1e-8, -1e-3, 1e-9, 0.4}, {-1e-7, 5e-8, 2e-3, 0, 0.3}};
        double[] m = new double[w.length];
        double[] v = new double[w.length];
        double[] expected = w.clone();
        CheckpointableAdam adam = new CheckpointableAdam(lr);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray weight = manager.create(toFloat(w));
            for (int t = 1; t <= grads.length; t++) {
                adam.update("w", weight, manager.create(toFloat(grads[t - 1])));
                for (int i = 0; i < w.length; i++) { // torch.optim.Adam, eps added to the corrected sqrt(v)
                    double g = (float) grads[t - 1][i];
                    m[i] = 0.9 * m[i] + 0.1 * g;
                    v[i] = 0.999 * v[i] + 0.001 * g * g;
                    double mHat = m[i] / (1 - Math.pow(0.9, t));
                    double vHat = v[i] / (1 - Math.pow(0.999, t));
                    expected[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
                }
                float[] got = weight.toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    double step = Math.abs(expected[i] - w[i]);
                    // within 1e-4 of the total move or a float's rounding: never a different step size
                    double tolerance = Math.max(1e-4 * step, 2 * Math.ulp((float) expected[i]));
                    assertEquals(expected[i], got[i], tolerance, "element " + i + " at step " + t);
                }
            }
        }
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
