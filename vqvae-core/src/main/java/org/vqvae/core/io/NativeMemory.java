package org.vqvae.core.io;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * Hands memory that the C allocator holds but no longer uses back to the operating system
 * (glibc's {@code malloc_trim}), through JNA, which DJL already brings.
 *
 * <p>The {@code vqvae} launcher keeps freed tensor memory in glibc's heap between steps (its
 * {@code MALLOC_*} settings): mapping it afresh on every step cost large models up to 1.7x. That also
 * keeps the peak of an evaluation, whose chunks are larger than a training batch, for the rest of the
 * run. The trainers call {@link #trim()} after each evaluation, so the resident set goes back to
 * the training steps' own level without giving up their speed.
 */
public final class NativeMemory {

    private static final Function TRIM = find();

    private NativeMemory() {}

    private static Function find() {
        if (!Platform.isLinux()) {
            return null;
        }
        try {
            return NativeLibrary.getInstance("c").getFunction("malloc_trim");
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null; // not glibc (musl has no malloc_trim)
        }
    }

    /**
     * Returns free memory at the top of the C heap and in free pages inside it to the system.
     *
     * @return whether any memory was returned (false also where there is no {@code malloc_trim})
     */
    public static boolean trim() {
        return TRIM != null && TRIM.invokeInt(new Object[] {0}) == 1;
    }

    /**
     * Whether this platform's allocator can be trimmed.
     *
     * @return true on Linux with glibc
     */
    public static boolean available() {
        return TRIM != null;
    }
}
