package org.vqvae.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;

import org.junit.jupiter.api.Test;

class SlicesTest {

    /** Every range of every axis equals the indexed get, edges and empty ranges included. */
    @Test
    void narrowEqualsIndexedGet() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(2 * 3 * 5 * 4f).reshape(2, 3, 5, 4);
            for (int axis = 0; axis < 4; axis++) {
                long size = x.getShape().get(axis);
                for (long from = 0; from <= size; from++) {
                    for (long to = from; to <= size; to++) {
                        String idx = ":, ".repeat(axis) + from + ":" + to;
                        NDArray expected = x.get(new NDIndex(idx));
                        NDArray got = Slices.narrow(x, axis, from, to);
                        assertEquals(expected.getShape(), got.getShape(), idx);
                        assertArrayEquals(expected.toFloatArray(), got.toFloatArray(), idx);
                    }
                }
            }
            assertArrayEquals(x.get(new NDIndex(":, :, 2")).toFloatArray(), Slices.select(x, 2, 2).toFloatArray());
            assertEquals(new Shape(2, 3, 4), Slices.select(x, 2, 4).getShape());
            assertThrows(IllegalArgumentException.class, () -> Slices.narrow(x, 2, 3, 6));
            assertThrows(IllegalArgumentException.class, () -> Slices.narrow(x, 2, 3, 2));
        }
    }

    /** The gradient through a range is the upstream gradient in the range and zero elsewhere. */
    @Test
    void gradientFlowsIntoTheRange() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(2, 6));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(Slices.narrow(x, 1, 2, 5).mul(m.create(new float[] {1, 2, 3})).sum());
            }
            assertArrayEquals(new float[] {0, 0, 1, 2, 3, 0, 0, 0, 1, 2, 3, 0}, x.getGradient().toFloatArray());
        }
    }
}
