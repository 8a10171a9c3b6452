package org.vqvae.core.io.torch;

/**
 * What an import needs that a state_dict does not record.
 *
 * @param imageSize image height and width the model will see (rosinality trains at 256)
 */
public record ImportOptions(int imageSize) {

    /** Checks the size. */
    public ImportOptions {
        if (imageSize < 1) {
            throw new IllegalArgumentException("--image-size must be >= 1, got " + imageSize);
        }
    }
}
