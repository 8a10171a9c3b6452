package org.vqvae.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import java.util.List;

/** Top-down sampling over two levels, the checks that the priors fit together, and no leaked arrays. */
class HierarchicalSamplerTest {

    private static PixelSnail top() {
        return new PixelSnail(PixelSnailConfig.defaults(6, 3, 2, 3).withSize(8, 1, 1));
    }

    private static PixelSnail bottom() {
        return new PixelSnail(PixelSnailConfig.defaults(5, 3, 4, 6).withSize(8, 1, 1).conditionedOn(6, 2, 3));
    }

    @Test
    void samplesTopThenBottomGivenTopWithoutLeakingArrays() {
        Engine.getInstance().setRandomSeed(12);
        try (NDManager m = NDManager.newBaseManager()) {
            PixelSnail t = top().initialize(m);
            PixelSnail b = bottom().initialize(m);
            HierarchicalSampler sampler = new HierarchicalSampler(List.of(b, t), new float[] {1f, 0.8f},
                    new int[] {0, 3}, true);
            int before = m.getManagedArrays().size();
            long[] classes = {0, 2, 1};
            long[][][] codes = sampler.sample(classes, 7, m);
            assertEquals(before, m.getManagedArrays().size(), "sampling left arrays behind");
            assertEquals(2, codes.length);
            assertEquals(3, codes[1].length);
            assertEquals(6, codes[1][0].length);
            assertEquals(24, codes[0][0].length);
            // the top level is exactly what its own sampler draws with seed + 1
            long[][] alone = new PriorSampler(t, 0.8f, 3, true).sample(classes, 8, m);
            for (int s = 0; s < classes.length; s++) {
                assertArrayEquals(alone[s], codes[1][s]);
            }
            // and the bottom level is the bottom prior's draw given those top codes, with seed + 0
            long[][] given = new PriorSampler(b, 1f, 0, false).sample(classes, codes[1], 7, m);
            for (int s = 0; s < classes.length; s++) {
                assertArrayEquals(given[s], codes[0][s]);
            }
            NDList arrays = sampler.toArrays(codes, m);
            assertEquals(new Shape(3, 4, 6), arrays.get(0).getShape());
            assertEquals(new Shape(3, 2, 3), arrays.get(1).getShape());
            for (long c : codes[1][0]) {
                assertTrue(c >= 0 && c < 6);
            }
        }
    }

    @Test
    void priorsThatDoNotFitTogetherAreRefused() {
        assertMessage(() -> new HierarchicalSampler(List.of(top(), top()), new float[] {1, 1}, new int[] {0, 0}, true),
                "not conditioned on the level above");
        assertMessage(() -> new HierarchicalSampler(List.of(bottom()), new float[] {1}, new int[] {0}, true),
                "the top prior must not be conditioned");
        PixelSnail otherTop = new PixelSnail(PixelSnailConfig.defaults(7, 3, 2, 3).withSize(8, 1, 1));
        assertMessage(() -> new HierarchicalSampler(List.of(bottom(), otherTop), new float[] {1, 1}, new int[] {0, 0},
                true), "conditioned on 2x3 maps of K=6 but the prior above models 2x3 maps of K=7");
        PixelSnail otherClasses = new PixelSnail(PixelSnailConfig.defaults(6, 4, 2, 3).withSize(8, 1, 1));
        assertMessage(() -> new HierarchicalSampler(List.of(bottom(), otherClasses), new float[] {1, 1},
                new int[] {0, 0}, true), "different numbers of classes");
        assertMessage(() -> new HierarchicalSampler(List.of(bottom(), top()), new float[] {1}, new int[] {0, 0}, true),
                "one prior, temperature and top-k per level");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable run, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
