package org.vqvae.spark;

import picocli.CommandLine.Option;

/** How image folders are read, as the single-machine commands' flags say it. */
final class ImageFlags {

    @Option(names = "--image-size", paramLabel = "S",
            description = "Side image folders are resized (short side) and centre-cropped to (default: the model's own).")
    Integer imageSize;

    @Option(names = "--strict", description = "Stop at an unreadable image, naming it, instead of skipping it.")
    boolean strict;
}
