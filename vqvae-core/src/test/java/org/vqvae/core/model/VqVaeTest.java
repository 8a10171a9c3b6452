package org.vqvae.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vqvae.core.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class VqVaeTest {

    private static VqVaeConfig small(boolean ema) {
        return VqVaeConfig.defaults(1, 16, 16).withTrunk(16, 8, 1).withCodebook(32, 8).withEma(ema);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void shapesFollowTheDownsamplingFactor(int factor) {
        Engine.getInstance().setRandomSeed(1);
        VqVae model = new VqVae(small(false).withDownsample(factor));
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            NDArray x = m.randomUniform(-0.5f, 0.5f, new Shape(3, 1, 16, 16));
            NDList out = model.forward(new ParameterStore(m, false), new NDList(x), false);
            assertEquals(new Shape(3, 1, 16, 16), out.get(VqVae.RECONSTRUCTION).getShape());
            assertEquals(new Shape(3, 16 / factor, 16 / factor), out.get(VqVae.CODES).getShape());
            assertEquals(DataType.INT64, out.get(VqVae.CODES).getDataType());
            assertEquals(new Shape(), out.get(VqVae.VQ_LOSS).getShape());
        }
    }

    @Test
    void decodeOfEncodeEqualsTheForwardReconstruction() {
        Engine.getInstance().setRandomSeed(2);
        VqVae model = new VqVae(small(false));
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            NDArray x = m.randomUniform(-0.5f, 0.5f, new Shape(4, 1, 16, 16));
            NDArray viaCodes = model.decode(model.encode(x));
            NDArray forward = model.reconstruct(x);
            assertArrayEquals(forward.toFloatArray(), viaCodes.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void saveThenLoadGivesIdenticalOutputs(@TempDir Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(3);
        VqVae model = new VqVae(small(true));
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            NDArray x = m.randomUniform(-0.5f, 0.5f, new Shape(4, 1, 16, 16));
            // one training-mode pass moves the EMA state away from its initial values
            model.forward(new ParameterStore(m, false), new NDList(x), true);
            Checkpoint.save(dir, model, null, 1);
            VqVae loaded = Checkpoint.load(dir, m);
            assertEquals(model.getConfig(), loaded.getConfig());
            assertArrayEquals(model.encode(x).toLongArray(), loaded.encode(x).toLongArray());
            assertArrayEquals(model.reconstruct(x).toFloatArray(), loaded.reconstruct(x).toFloatArray(), 0f);
            assertArrayEquals(
                    model.getQuantizer().getParameters().get("emaClusterSize").getArray().toFloatArray(),
                    loaded.getQuantizer().getParameters().get("emaClusterSize").getArray().toFloatArray(), 0f);
        }
    }

    @Test
    void checkpointOfAnotherConfigIsRefused(@TempDir Path dir) throws IOException {
        VqVae model = new VqVae(small(false));
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            Checkpoint.save(dir, model, null, 1);
            VqVae other = new VqVae(small(false).withCodebook(64, 8));
            IOException e = assertThrows(IOException.class, () -> Checkpoint.loadParameters(dir, other, m));
            assertTrue(e.getMessage().contains("numCodes=32"), e.getMessage());
        }
    }

    @Test
    void truncatedParameterFileIsRefused(@TempDir Path dir) throws IOException {
        VqVae model = new VqVae(small(false));
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            Checkpoint.save(dir, model, null, 1);
            Path params = dir.resolve("checkpoint/model.params");
            byte[] b = Files.readAllBytes(params);
            Files.write(params, java.util.Arrays.copyOf(b, b.length / 2));
            IOException e = assertThrows(IOException.class, () -> Checkpoint.load(dir, m));
            assertTrue(e.getMessage().contains("model.params"), e.getMessage());
        }
    }

    @Test
    void configRoundTripsThroughJson() {
        VqVaeConfig c = small(true).withDownsample(2);
        assertEquals(c, VqVaeConfig.fromJson(c.toJson()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VqVaeConfig.fromJson(c.toJson().replace("\"downsample\": 2", "\"downsample\": 3")));
        assertTrue(e.getMessage().contains("downsample"), e.getMessage());
    }

    @Test
    void outOfRangeCodesAreRefused() {
        VqVae model = new VqVae(small(false));
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m);
            NDArray codes = m.create(new long[] {0, 1, 2, 32}, new Shape(1, 2, 2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.decode(codes));
            assertTrue(e.getMessage().contains("outside [0, 32)"), e.getMessage());
            NDArray negative = m.create(new long[] {0, -1, 2, 3}, new Shape(1, 2, 2));
            assertThrows(IllegalArgumentException.class, () -> model.decode(negative));
        }
    }
}
