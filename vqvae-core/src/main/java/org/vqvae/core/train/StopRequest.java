package org.vqvae.core.train;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Asks running training loops to stop at the next step boundary, after writing a checkpoint of the
 * step they finished, and lets the asker wait until they have.
 *
 * <p>Why: a JVM that exits (Ctrl-C, {@code kill}) while the training thread is inside libtorch frees
 * the engine's native state under it, which crashes the process in the middle of a backward pass. The
 * {@code vqvae} command's shutdown hook calls {@link #request()} and {@link #awaitIdle(Duration)}: the
 * loop finishes its step, writes its checkpoint and throws {@link TrainingStopped}, and only then
 * does the JVM go on exiting. A resumed run then starts from that very step. A kill that cannot be
 * caught ({@code kill -9}, power loss) loses the steps since the last periodic checkpoint, never the
 * run: checkpoints are written atomically.
 */
public final class StopRequest {

    private static final AtomicBoolean REQUESTED = new AtomicBoolean();
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition IDLE = LOCK.newCondition();
    private static int running;

    private StopRequest() {}

    /** Asks every running (and later) training loop to stop at its next step boundary. */
    public static void request() {
        REQUESTED.set(true);
    }

    /**
     * Whether a stop was requested.
     *
     * @return true after {@link #request()}, until {@link #clear()}
     */
    public static boolean requested() {
        return REQUESTED.get();
    }

    /** Withdraws a request (for a process that goes on training after handling one). */
    public static void clear() {
        REQUESTED.set(false);
    }

    /**
     * Waits until no training loop is running.
     *
     * @param timeout the longest wait
     * @return whether every loop had stopped in time
     * @throws InterruptedException if interrupted while waiting
     */
    public static boolean awaitIdle(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        LOCK.lock();
        try {
            while (running > 0) {
                if (left <= 0) {
                    return false;
                }
                left = IDLE.awaitNanos(left);
            }
            return true;
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Marks a training loop as running until the returned handle is closed.
     *
     * @return the handle to close when the loop has left native code for good
     */
    public static Running enter() {
        LOCK.lock();
        try {
            running++;
        } finally {
            LOCK.unlock();
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                LOCK.lock();
                try {
                    running--;
                    IDLE.signalAll();
                } finally {
                    LOCK.unlock();
                }
            }
        };
    }

    /** A running loop's registration; closing it (once) marks the loop as stopped. */
    public interface Running extends AutoCloseable {
        @Override
        void close();
    }

    /** Thrown by a training loop that stopped on request; its checkpoint holds {@link #step()}. */
    public static final class TrainingStopped extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final long step;

        /**
         * Creates the signal.
         *
         * @param step the step the checkpoint holds
         * @param checkpoint where it was written
         */
        public TrainingStopped(long step, String checkpoint) {
            super("stopped on request after step " + step + "; checkpoint " + checkpoint
                    + " holds it: rerun the same command with --resume to continue");
            this.step = step;
        }

        /**
         * The step the checkpoint holds.
         *
         * @return the step
         */
        public long step() {
            return step;
        }
    }
}
