package org.vqvae.core.data;

/**
 * Which images make up each batch: batch {@code b} is a pure function of {@code b}, so a run
 * resumed at step {@code s} asks for batch {@code s} and sees what the uninterrupted run saw.
 */
public interface BatchPlan {

    /**
     * Returns the images of one batch.
     *
     * @param batch the batch number, from 0
     * @return indices into the source
     */
    int[] indices(long batch);

    /**
     * Batches of a data set reshuffled every epoch, reproducibly from a seed: epoch {@code e} is a
     * permutation drawn from {@code (seed, e)}; batches run on across epoch boundaries (a batch
     * may end one epoch and start the next), so every batch has the same size.
     *
     * @param size images in the set
     * @param batchSize images per batch
     * @param seed the run's seed
     * @return the plan
     */
    static BatchPlan shuffled(int size, int batchSize, long seed) {
        return new Shuffled(size, batchSize, seed);
    }

    /**
     * The images in order, {@code batchSize} at a time; the last batch may be shorter.
     *
     * @param size images in the set
     * @param batchSize images per batch
     * @return the plan
     */
    static BatchPlan sequential(int size, int batchSize) {
        return batch -> {
            long from = batch * batchSize;
            int n = (int) Math.max(0, Math.min(batchSize, size - from));
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = (int) (from + i);
            }
            return idx;
        };
    }

    /**
     * Number of batches {@link #sequential} makes of a set.
     *
     * @param size images in the set
     * @param batchSize images per batch
     * @return {@code ceil(size / batchSize)}
     */
    static long sequentialCount(int size, int batchSize) {
        return (size + (long) batchSize - 1) / batchSize;
    }

    /**
     * Epoch-wise shuffling without a permutation array: position {@code p} of epoch {@code e} maps
     * to an image through a keyed 4-round Feistel network on the smallest power of four at least
     * the set's size, walking the cycle until it lands inside the set. That is a bijection on
     * {@code [0, size)} for every (seed, epoch), computed in O(1) memory, so a set of any size is
     * shuffled without holding an index of it.
     */
    final class Shuffled implements BatchPlan {
        private static final int ROUNDS = 4;

        private final int size;
        private final int batchSize;
        private final long seed;
        private final int halfBits;
        private final long mask;

        Shuffled(int size, int batchSize, long seed) {
            if (size < 1 || batchSize < 1) {
                throw new IllegalArgumentException("cannot batch " + size + " images in batches of " + batchSize);
            }
            this.size = size;
            this.batchSize = batchSize;
            this.seed = seed;
            int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, size - 1));
            this.halfBits = Math.max(1, (bits + 1) / 2);
            this.mask = (1L << halfBits) - 1;
        }

        @Override
        public int[] indices(long batch) {
            int[] idx = new int[batchSize];
            long position = batch * batchSize;
            for (int i = 0; i < batchSize; i++, position++) {
                idx[i] = image(position / size, (int) (position % size));
            }
            return idx;
        }

        /**
         * The image at a position of an epoch.
         *
         * @param epoch the epoch
         * @param position the position within it, in {@code [0, size)}
         * @return the image
         */
        int image(long epoch, int position) {
            long key = mix(seed * 0x9E3779B97F4A7C15L + epoch);
            long x = position;
            do {
                x = permute(x, key);
            } while (x >= size); // cycle-walking: the domain is at most 4x the set, a few steps on average
            return (int) x;
        }

        private long permute(long x, long key) {
            long left = x >>> halfBits;
            long right = x & mask;
            for (int r = 0; r < ROUNDS; r++) {
                long next = left ^ (mix(key + r * 0xD1B54A32D192ED03L + right) & mask);
                left = right;
                right = next;
            }
            return (left << halfBits) | right;
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
