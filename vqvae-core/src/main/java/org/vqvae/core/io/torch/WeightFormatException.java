package org.vqvae.core.io.torch;

import java.io.IOException;

/**
 * A weight file that is refused: not the container it claims to be, truncated, holding a pickle
 * global or opcode a state_dict does not need, or weights of another architecture. The message is
 * the one line a user reads.
 */
public class WeightFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was refused and why, one line
     */
    public WeightFormatException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what was refused and why, one line
     * @param cause the underlying failure
     */
    public WeightFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
