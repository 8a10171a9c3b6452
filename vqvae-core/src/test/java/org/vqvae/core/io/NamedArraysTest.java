package org.vqvae.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;

import java.io.IOException;
import java.nio.file.Path;

class NamedArraysTest {

    @Test
    void parametersRoundTripByNameAndMismatchesAreRefused(@TempDir Path dir) throws IOException {
        VqVaeConfig config = VqVaeConfig.defaults(1, 28, 28).withTrunk(16, 8, 1).withCodebook(32, 8);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            VqVae a = new VqVae(config);
            a.initialize(m);
            Engine.getInstance().setRandomSeed(2);
            VqVae b = new VqVae(config);
            b.initialize(m);
            Path npz = dir.resolve("a.npz");
            NamedArrays.save(a, npz);
            NamedArrays.load(b, npz);
            for (Pair<String, Parameter> p : a.getParameters()) {
                assertArrayEquals(p.getValue().getArray().toFloatArray(),
                        b.getParameters().get(p.getKey()).getArray().toFloatArray(), p.getKey());
            }
            VqVae other = new VqVae(config.withCodebook(64, 8));
            other.initialize(m);
            IOException e = assertThrows(IOException.class, () -> NamedArrays.load(other, npz));
            assertTrue(e.getMessage().contains("the model needs"), e.getMessage());
        }
    }
}
