package org.vqvae.prior;

import java.util.Random;

/**
 * Which training maps each prior step draws: {@code min(batch, count)} indices uniformly with
 * replacement from one seeded stream. A run resumed at step {@code s} replays the draws of the
 * steps before it (cheap integer draws), so it sees the batches the uninterrupted run saw.
 */
final class CodeBatchOrder {

    private final Random random;
    private final int count;
    private final int size;

    /**
     * Positions the stream at a step.
     *
     * @param seed the run's seed
     * @param count maps in the training set
     * @param batch maps per step
     * @param start the first step to draw (steps before it are skipped)
     */
    CodeBatchOrder(long seed, int count, int batch, long start) {
        this.random = new Random(seed);
        this.count = count;
        this.size = Math.min(batch, count);
        for (long i = 0; i < start * size; i++) {
            random.nextInt(count);
        }
    }

    /**
     * Draws the next step's batch.
     *
     * @return the map indices
     */
    int[] next() {
        int[] idx = new int[size];
        for (int i = 0; i < size; i++) {
            idx[i] = random.nextInt(count);
        }
        return idx;
    }
}
