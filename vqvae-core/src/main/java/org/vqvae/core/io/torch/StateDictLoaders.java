package org.vqvae.core.io.torch;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The {@link StateDictLoader}s on the class path. */
public final class StateDictLoaders {

    private StateDictLoaders() {}

    /**
     * Finds the loader of a format.
     *
     * @param format e.g. {@code rosinality-vqvae2}
     * @return the loader, if one is on the class path
     */
    public static Optional<StateDictLoader> find(String format) {
        for (StateDictLoader l : ServiceLoader.load(StateDictLoader.class)) {
            if (l.format().equals(format)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    /**
     * Lists the formats available.
     *
     * @return their names
     */
    public static List<String> formats() {
        List<String> out = new ArrayList<>();
        for (StateDictLoader l : ServiceLoader.load(StateDictLoader.class)) {
            out.add(l.format());
        }
        return out;
    }
}
