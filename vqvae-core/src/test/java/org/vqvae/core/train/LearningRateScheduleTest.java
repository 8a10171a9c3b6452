package org.vqvae.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The learning rate of each step, as a pure function of the step. */
class LearningRateScheduleTest {

    @Test
    void constantIsTheBaseRateAtEveryStep() {
        LearningRateSchedule s = LearningRateSchedule.constant(2e-4f);
        for (long step : new long[] {0, 1, 999, 1_000_000_000L}) {
            assertEquals(2e-4f, s.getNewValue((int) Math.min(step + 1, Integer.MAX_VALUE)));
            assertEquals((double) 2e-4f, s.at(step));
        }
    }

    @Test
    void warmUpRisesLinearlyToTheBaseRate() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3f, 4, LearningRateSchedule.Kind.CONSTANT, 0, 0);
        assertEquals(0.25e-3, s.at(0), 1e-10);
        assertEquals(0.50e-3, s.at(1), 1e-10);
        assertEquals(0.75e-3, s.at(2), 1e-10);
        assertEquals(1.00e-3, s.at(3), 1e-10);
        assertEquals(1.00e-3, s.at(4), 1e-10);
        // DJL counts updates from 1
        assertEquals((float) s.at(0), s.getNewValue(1));
    }

    @Test
    void cosineFallsFromTheBaseToTheMinimumAfterTheWarmUp() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3f, 10, LearningRateSchedule.Kind.COSINE, 1e-5f, 110);
        assertEquals(1e-4, s.at(0), 1e-10);
        assertEquals(1e-3, s.at(10), 1e-9);
        // half-way through the decay: the mean of base and minimum
        assertEquals((1e-3 + 1e-5) / 2, s.at(60), 1e-9);
        assertEquals(1e-5, s.at(110), 1e-10);
        assertEquals(1e-5, s.at(10_000), 1e-10);
        for (long step = 10; step < 110; step++) {
            assertTrue(s.at(step + 1) < s.at(step), "not decreasing at " + step);
        }
    }

    @Test
    void roundTripsThroughJsonAndConstantIgnoresTheRunLength() {
        LearningRateSchedule cosine = new LearningRateSchedule(2e-4f, 500, LearningRateSchedule.Kind.COSINE, 1e-6f,
                10_000);
        assertEquals(cosine, LearningRateSchedule.fromJson(cosine.toJson()));
        LearningRateSchedule constant = new LearningRateSchedule(2e-4f, 100, LearningRateSchedule.Kind.CONSTANT, 0, 0);
        assertEquals(constant, LearningRateSchedule.fromJson(constant.toJson()));
        // a constant schedule does not depend on --steps, so such a run can be extended
        assertEquals(constant, new LearningRateSchedule(2e-4f, 100, LearningRateSchedule.Kind.CONSTANT, 0, 777));
    }

    @Test
    void refusesBadValuesNamingThem() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(0));
        assertThrows(IllegalArgumentException.class,
                () -> new LearningRateSchedule(1e-3f, -1, LearningRateSchedule.Kind.CONSTANT, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new LearningRateSchedule(1e-3f, 0, LearningRateSchedule.Kind.COSINE, 2e-3f, 100));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LearningRateSchedule(1e-3f, 100, LearningRateSchedule.Kind.COSINE, 0, 100));
        assertTrue(e.getMessage().contains("warm-up"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.Kind.parse("linear"));
        assertEquals("--lr-schedule must be constant or cosine, got linear", e.getMessage());
    }
}
