package org.vqvae.core.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads batches of a {@link ImageSource} in the order of a {@link BatchPlan}, decoding on worker
 * threads ahead of the consumer, as PyTorch's DataLoader does: each batch is split across the
 * workers, and up to {@code prefetch} batches are in flight while the consumer trains on the
 * current one. Memory is {@code O(prefetch x batch)} images, whatever the source's size. Batches
 * come out in plan order, whatever the number of workers, so results do not depend on it.
 */
public final class BatchLoader implements AutoCloseable {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ImageSource source;
    private final BatchPlan plan;
    private final long end;
    private final int workers;
    private final int prefetch;
    private final ExecutorService pool;
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    private long nextToSubmit;
    private long nextToReturn;

    /**
     * Creates a loader of batches {@code [start, end)} of a plan.
     *
     * @param source the images
     * @param plan which images each batch holds
     * @param start the first batch (a resumed run's step)
     * @param end the batch after the last
     * @param workers decoding threads; 0 decodes on the caller's thread
     * @param prefetch batches decoded ahead (at least 1)
     */
    public BatchLoader(ImageSource source, BatchPlan plan, long start, long end, int workers, int prefetch) {
        if (workers < 0) {
            throw new IllegalArgumentException("--workers must be >= 0, got " + workers);
        }
        this.source = source;
        this.plan = plan;
        this.end = end;
        this.workers = workers;
        this.prefetch = Math.max(1, prefetch);
        this.nextToSubmit = start;
        this.nextToReturn = start;
        int id = POOLS.incrementAndGet();
        this.pool = workers == 0 ? null : Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "vqvae-decode-" + id);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A loader over the whole source in order (evaluation, encoding), in batches of {@code batch}.
     *
     * @param source the images
     * @param batch images per batch
     * @param workers decoding threads
     * @return the loader
     */
    public static BatchLoader sequential(ImageSource source, int batch, int workers) {
        return new BatchLoader(source, BatchPlan.sequential(source.size(), batch), 0,
                BatchPlan.sequentialCount(source.size(), batch), workers, 2);
    }

    /** The default number of decoding threads: the machine's cores. */
    public static int defaultWorkers() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Whether batches remain.
     *
     * @return true until the plan's last batch was returned
     */
    public boolean hasNext() {
        return nextToReturn < end;
    }

    /**
     * Returns the next batch, waiting for its images.
     *
     * @return the batch's pixels and labels
     * @throws IOException if an image cannot be read (the message names it)
     */
    public ImageSet next() throws IOException {
        if (!hasNext()) {
            throw new IllegalStateException("no batch after " + end);
        }
        fill();
        Pending head = inFlight.poll();
        nextToReturn++;
        ImageSet batch = head.await();
        fill();
        return batch;
    }

    private void fill() {
        while (nextToSubmit < end && inFlight.size() < prefetch) {
            inFlight.add(submit(plan.indices(nextToSubmit++)));
        }
    }

    private Pending submit(int[] idx) {
        int per = source.imageBytes();
        byte[] pixels = new byte[Math.multiplyExact(idx.length, per)];
        int[] labels = new int[idx.length];
        Pending p = new Pending(pixels, labels, new ArrayList<>());
        if (pool == null) {
            p.error = readRange(idx, 0, idx.length, pixels, labels);
            return p;
        }
        int parts = Math.min(workers, idx.length);
        for (int k = 0; k < parts; k++) {
            int from = (int) ((long) k * idx.length / parts);
            int to = (int) ((long) (k + 1) * idx.length / parts);
            p.parts.add(pool.submit(() -> readRange(idx, from, to, pixels, labels)));
        }
        return p;
    }

    private IOException readRange(int[] idx, int from, int to, byte[] pixels, int[] labels) {
        int per = source.imageBytes();
        for (int i = from; i < to; i++) {
            try {
                // read before label: a source that replaces an unreadable image relabels it on read
                source.read(idx[i], pixels, i * per);
                labels[i] = source.label(idx[i]);
            } catch (IOException e) {
                return e;
            } catch (UncheckedIOException e) {
                return e.getCause();
            }
        }
        return null;
    }

    /** Stops the workers; batches in flight are dropped. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
        inFlight.clear();
    }

    /** One batch being decoded: its buffers and the workers' parts. */
    private final class Pending {
        final byte[] pixels;
        final int[] labels;
        final List<Future<IOException>> parts;
        IOException error;

        Pending(byte[] pixels, int[] labels, List<Future<IOException>> parts) {
            this.pixels = pixels;
            this.labels = labels;
            this.parts = parts;
        }

        ImageSet await() throws IOException {
            for (Future<IOException> f : parts) {
                try {
                    IOException e = f.get();
                    if (error == null) {
                        error = e;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reading images", e);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IOException(c.getMessage(), c);
                }
            }
            if (error != null) {
                throw error;
            }
            return new ImageSet(pixels, labels, labels.length, source.channels(), source.height(), source.width());
        }
    }
}
