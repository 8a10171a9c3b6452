package org.vqvae.core.io.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** safetensors both ways: the bytes round-trip, DJL's own decoder agrees, malformed files are refused. */
class SafeTensorsTest {

    @TempDir Path dir;

    private static StateDict sample() {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("b.weight", new TensorData(TensorType.FLOAT32, new long[] {2, 3},
                le(new float[] {1, 2, 3, 4, 5, 6})));
        t.put("a.codes", new TensorData(TensorType.INT64, new long[] {3},
                ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-1).putLong(9).array()));
        t.put("c.half", new TensorData(TensorType.FLOAT16, new long[] {1}, new byte[] {0, 0x3c}));
        return new StateDict(t, Map.of("format", "pt", "vqvae.config", "{\"x\": 1}"));
    }

    private static byte[] le(float[] f) {
        ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : f) {
            b.putFloat(v);
        }
        return b.array();
    }

    private Path write(StateDict sd) throws IOException {
        Path p = dir.resolve("w.safetensors");
        try (OutputStream os = Files.newOutputStream(p)) {
            SafeTensors.write(os, sd);
        }
        return p;
    }

    @Test
    void roundTripsAndDjlReadsIt() throws IOException {
        Path p = write(sample());
        StateDict back = SafeTensors.read(p);
        assertEquals(sample().tensors(), back.tensors());
        assertEquals(List.of("b.weight", "a.codes", "c.half"), List.copyOf(back.tensors().keySet()));
        assertEquals(sample().metadata(), back.metadata());
        assertEquals(0, (Files.size(p) - 8 - 48 - 24 - 2) % 8); // header padded to 8 bytes
        try (NDManager m = NDManager.newBaseManager()) {
            NDList list = NDList.decode(m, Files.newInputStream(p));
            Map<String, float[]> byName = new LinkedHashMap<>();
            list.forEach(a -> byName.put(a.getName(), a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .toFloatArray()));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, byName.get("b.weight"));
            assertArrayEquals(new float[] {7, -1, 9}, byName.get("a.codes"));
            assertArrayEquals(new float[] {1}, byName.get("c.half"));
        }
    }

    @Test
    void refusesMalformedFiles() throws IOException {
        byte[] good = Files.readAllBytes(write(sample()));
        assertRefused(Arrays.copyOf(good, good.length - 1), "truncated or corrupt");
        assertRefused(Arrays.copyOf(good, 5), "shorter than its header length");
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        assertRefused(huge, "header length");
        assertRefused(file("{\"w\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 8), "F64");
        assertRefused(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8),
                "byte range 0..8 of another size");
        assertRefused(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                + " \"v\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 8), "gap or overlap");
        assertRefused(file("[1, 2]", 0), "not a JSON object");
        assertRefused(file("{\"w\": {\"dtype\": \"F32\"}}", 0), "malformed header entry w");
    }

    private static byte[] file(String header, int data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private void assertRefused(byte[] bytes, String words) throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, bytes);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }
}
