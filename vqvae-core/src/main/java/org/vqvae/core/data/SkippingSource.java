package org.vqvae.core.data;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A source that stands in for an unreadable image with the next readable one (in index order,
 * wrapping round), so that a long run is not stopped by one corrupt file among millions. The
 * replacement depends only on the files, so the batches stay reproducible. Each skipped image is
 * reported once. Callers read an image before asking its label (as {@link BatchLoader} does), so
 * the label follows the replacement.
 */
public final class SkippingSource implements ImageSource {

    private static final int REPORTED = 20;

    private final ImageSource source;
    private final PrintStream log;
    private final ConcurrentMap<Integer, Integer> replacements = new ConcurrentHashMap<>();
    private final java.util.Set<Integer> reported = ConcurrentHashMap.newKeySet();
    private final AtomicInteger skipped = new AtomicInteger();

    /**
     * Wraps a source.
     *
     * @param source the source whose unreadable images are replaced
     * @param log where each skipped image is reported (the first 20)
     */
    public SkippingSource(ImageSource source, PrintStream log) {
        this.source = source;
        this.log = log;
    }

    /** Number of distinct unreadable images met so far. */
    public int skipped() {
        return skipped.get();
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public int channels() {
        return source.channels();
    }

    @Override
    public int height() {
        return source.height();
    }

    @Override
    public int width() {
        return source.width();
    }

    @Override
    public int label(int index) {
        return source.label(replacements.getOrDefault(index, index));
    }

    @Override
    public String describe(int index) {
        return source.describe(index);
    }

    @Override
    public void read(int index, byte[] dst, int offset) throws IOException {
        Integer known = replacements.get(index);
        if (known != null) {
            source.read(known, dst, offset);
            return;
        }
        IOException first = null;
        for (int k = 0; k < source.size(); k++) {
            int candidate = (int) ((index + (long) k) % source.size());
            try {
                source.read(candidate, dst, offset);
                if (k > 0) {
                    replacements.put(index, candidate);
                }
                return;
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                    if (reported.add(candidate)) {
                        int n = skipped.incrementAndGet();
                        if (n <= REPORTED) {
                            log.println("skipping unreadable " + e.getMessage() + (n == REPORTED
                                    ? " (further skipped images are counted, not listed)" : ""));
                        }
                    }
                }
            }
        }
        throw new IOException("no readable image at all (first: " + first.getMessage() + ")", first);
    }
}
