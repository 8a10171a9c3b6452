package org.vqvae.cli;

import org.vqvae.core.data.BatchLoader;

import picocli.CommandLine.Option;

/** How image folders are read: size, strictness, decoding threads. */
final class ImageOptions {

    @Option(names = "--image-size", paramLabel = "S",
            description = "Side image folders are resized (short side) and centre-cropped to (default: the model's own"
                    + " size; 256 for a new model).")
    Integer imageSize;

    @Option(names = "--strict", description = "Stop at an unreadable image, naming it, instead of skipping it.")
    boolean strict;

    @Option(names = "--workers", paramLabel = "N",
            description = "Threads decoding images ahead of the model (default: the cores; 0: on the main thread).")
    Integer workers;

    /**
     * The number of decoding threads.
     *
     * @return the option's value or the number of cores
     */
    int workers() {
        if (workers != null && workers < 0) {
            throw new IllegalArgumentException("--workers must be >= 0, got " + workers);
        }
        return workers != null ? workers : BatchLoader.defaultWorkers();
    }
}
