package org.vqvae.core.io.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** This project's own models through safetensors: DJL's names, the configuration in the metadata. */
class ModelWeightsTest {

    @TempDir Path dir;

    @Test
    void vqVae2RoundTripsThroughSafetensors() throws IOException {
        VqVae2Config config = VqVae2Config.defaults(3, 16, 16, 2).withSizes(8, 4, 1, 16, 4);
        try (NDManager m = NDManager.newBaseManager()) {
            VqVae2 model = new VqVae2(config).initialize(m);
            Path file = dir.resolve("m.safetensors");
            try (OutputStream os = Files.newOutputStream(file)) {
                SafeTensors.write(os, ModelWeights.export(model, model.configJson()));
            }
            StateDict read = SafeTensors.read(file);
            assertEquals(model.configJson(), read.metadata().get(ModelWeights.CONFIG_KEY));
            VqVae2 back = (VqVae2) ModelWeights.fromSafetensors(read, new ImportOptions(16), m).block();
            assertEquals(config, back.getConfig());
            Map<String, Parameter> theirs = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : back.getParameters()) {
                theirs.put(p.getKey(), p.getValue());
            }
            for (Pair<String, Parameter> p : model.getParameters()) {
                assertArrayEquals(p.getValue().getArray().toFloatArray(),
                        theirs.get(p.getKey()).getArray().toFloatArray(), p.getKey());
            }
            // without a configuration and without rosinality's names nothing says what the file holds
            StateDict bare = new StateDict(read.tensors(), Map.of());
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> ModelWeights.fromSafetensors(bare, new ImportOptions(16), m));
            assertTrue(e.getMessage().contains("nothing says which model it holds"), e.getMessage());
        }
    }
}
