package org.vqvae.core.train;

import org.vqvae.core.djl.ModelDirectory;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.model.CodeModel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoints of one run directory: numbered directories {@code checkpoint-000001000/} (the
 * step), of which the newest {@code keep} are kept, and a symbolic link {@code checkpoint} to the
 * newest, so that {@code DIR/checkpoint/} reads as it always did.
 *
 * <p>A kill at any moment leaves at least one complete checkpoint: a checkpoint is written to a
 * temporary directory and renamed to its numbered name only when complete, so every numbered
 * directory is complete; older ones are renamed away before they are deleted, and only after the
 * new one is in place. Readers take the newest numbered directory, not the link, which is a
 * convenience that lags by one rename (and is skipped where links cannot be made). A plain
 * {@code checkpoint/} directory, as runs wrote before checkpoints were numbered, is read when no
 * numbered one exists and removed once a newer numbered one is in place.
 */
public final class CheckpointSeries {

    /** Prefix of the numbered checkpoint directories. */
    public static final String PREFIX = Checkpoint.DIR + "-";

    private static final Pattern NUMBERED = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)");
    private static final String TEMPORARY = ".checkpoint-";
    private static final String RETIRED = ".retired-";

    private final Path runDir;
    private final int keep;

    /**
     * Opens the series of a run directory.
     *
     * @param runDir the run directory
     * @param keep how many of the newest checkpoints to keep (at least 1)
     */
    public CheckpointSeries(Path runDir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("--keep-checkpoints must be >= 1, got " + keep);
        }
        this.runDir = runDir;
        this.keep = keep;
    }

    /**
     * Returns the directory name of the checkpoint of a step.
     *
     * @param step training steps done
     * @return e.g. {@code checkpoint-000001000}
     */
    public static String name(long step) {
        return PREFIX + String.format(Locale.ROOT, "%09d", step);
    }

    /**
     * Writes a checkpoint as the newest of the series, then points {@code checkpoint} at it and
     * deletes the checkpoints beyond the newest {@code keep} and any of higher steps (left by an
     * earlier run that this one, started afresh, replaces).
     *
     * @param model the block
     * @param configJson the configuration that rebuilds the block
     * @param optimizer the optimizer, or null
     * @param step training steps done
     * @param schedule the run's learning-rate schedule, or null
     * @return the new checkpoint directory
     * @throws IOException on failure
     */
    public Path save(ai.djl.nn.Block model, String configJson, CheckpointableAdam optimizer, long step,
            LearningRateSchedule schedule) throws IOException {
        Files.createDirectories(runDir);
        Path target = runDir.resolve(name(step));
        Path tmp = Files.createTempDirectory(runDir, TEMPORARY);
        try {
            Checkpoint.writeFiles(tmp, model, configJson, optimizer, step, schedule);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                retire(target); // the same step of an earlier run in this directory
            }
            AtomicFiles.move(tmp, target);
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
        link(target);
        if (model instanceof CodeModel) {
            // the run directory loads as a DJL model too, from its newest checkpoint
            ModelDirectory.writeServingProperties(runDir);
        }
        List<Path> all = numbered(runDir);
        int kept = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            Path dir = all.get(i);
            if (step(dir) > step || (!dir.equals(target) && ++kept >= keep)) {
                retire(dir);
            }
        }
        removeLeftovers(tmp);
        return target;
    }

    /**
     * Returns the newest complete checkpoint of a run directory.
     *
     * @param runDir the run directory
     * @return the numbered directory of the highest step, if any
     */
    public static Optional<Path> newest(Path runDir) {
        try {
            List<Path> all = numbered(runDir);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Lists the numbered checkpoints of a run directory, oldest first.
     *
     * @param runDir the run directory
     * @return the directories (empty if the run directory does not exist)
     * @throws IOException if the directory cannot be listed
     */
    public static List<Path> numbered(Path runDir) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(runDir)) {
            for (Path p : entries) {
                if (NUMBERED.matcher(p.getFileName().toString()).matches()
                        && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    found.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return found;
        }
        found.sort(Comparator.comparingLong(CheckpointSeries::step));
        return found;
    }

    private static long step(Path numberedDir) {
        Matcher m = NUMBERED.matcher(numberedDir.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a numbered checkpoint: " + numberedDir);
        }
        return Long.parseLong(m.group(1));
    }

    /** Points {@code checkpoint} at the new checkpoint, replacing a link atomically. */
    private void link(Path target) throws IOException {
        Path link = runDir.resolve(Checkpoint.DIR);
        if (Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)) {
            retire(link); // the plain directory of the older layout, superseded by the new checkpoint
        }
        Path tmpLink = runDir.resolve(TEMPORARY + "link-" + UUID.randomUUID());
        try {
            Files.createSymbolicLink(tmpLink, target.getFileName());
            AtomicFiles.move(tmpLink, link);
        } catch (UnsupportedOperationException | FileSystemException e) {
            // no links on this file system: readers find the newest numbered checkpoint themselves
            Files.deleteIfExists(tmpLink);
        }
    }

    /** Renames a checkpoint away (atomically), then deletes it, so no partly deleted one is ever read. */
    private void retire(Path dir) throws IOException {
        Path away = runDir.resolve(RETIRED + dir.getFileName() + "-" + UUID.randomUUID());
        AtomicFiles.move(dir, away);
        AtomicFiles.deleteTree(away);
    }

    /** Deletes what saves and deletions killed half-way left: temporary and retired directories. */
    private void removeLeftovers(Path current) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(runDir)) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if ((n.startsWith(TEMPORARY) || n.startsWith(RETIRED)) && !p.equals(current)) {
                    if (Files.isSymbolicLink(p)) {
                        Files.deleteIfExists(p);
                    } else {
                        AtomicFiles.deleteTree(p);
                    }
                }
            }
        }
    }
}
