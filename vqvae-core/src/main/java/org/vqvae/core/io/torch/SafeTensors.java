package org.vqvae.core.io.torch;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the bytes. Written with a {@code __metadata__} of
 * strings; read with every range checked (in the file, in order, no gaps or overlaps, the size its
 * shape needs), since a file is untrusted. Only F32, F16 and I64 tensors are read. DJL's {@code
 * NDList.decode} reads these files too; this reader keeps the metadata and refuses malformed ones.
 */
public final class SafeTensors {

    /** The largest header read. */
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /**
     * Writes tensors and metadata.
     *
     * @param os where to write
     * @param weights the tensors (in order) and metadata
     * @throws IOException on failure
     */
    public static void write(OutputStream os, StateDict weights) throws IOException {
        JsonObject header = new JsonObject();
        if (!weights.metadata().isEmpty()) {
            JsonObject meta = new JsonObject();
            weights.metadata().forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> e : weights.tensors().entrySet()) {
            TensorData t = e.getValue();
            JsonObject o = new JsonObject();
            o.addProperty("dtype", t.type().safetensorsName());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            o.add("shape", shape);
            JsonArray range = new JsonArray();
            range.add(offset);
            offset += t.data().length;
            range.add(offset);
            o.add("data_offsets", range);
            header.add(e.getKey(), o);
        }
        byte[] json = JsonUtils.GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the data starts 8-byte aligned, padded with spaces
        byte[] head = new byte[8 + padded];
        ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        System.arraycopy(json, 0, head, 8, json.length);
        java.util.Arrays.fill(head, 8 + json.length, head.length, (byte) ' ');
        os.write(head);
        for (TensorData t : weights.tensors().values()) {
            os.write(t.data());
        }
    }

    /**
     * Reads a file.
     *
     * @param file a {@code .safetensors} file
     * @return its tensors in header order, and its metadata
     * @throws WeightFormatException if malformed, or holding another dtype
     * @throws IOException if unreadable
     */
    public static StateDict read(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] len = in.readNBytes(8);
            if (len.length < 8) {
                throw new WeightFormatException(file + " is not a safetensors file: shorter than its header length");
            }
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n < 2 || n > MAX_HEADER || n > size - 8) {
                throw new WeightFormatException(file + " is not a safetensors file: header length " + n
                        + " does not fit a file of " + size + " bytes");
            }
            JsonObject header;
            try {
                header = JsonUtils.GSON.fromJson(new String(in.readNBytes((int) n), StandardCharsets.UTF_8),
                        JsonObject.class);
            } catch (JsonParseException | ClassCastException e) {
                throw new WeightFormatException(file + " is not a safetensors file: its header is not a JSON object", e);
            }
            if (header == null) {
                throw new WeightFormatException(file + " is not a safetensors file: empty header");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, TensorType> types = new LinkedHashMap<>();
            Map<String, long[]> ranges = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                try {
                    if (e.getKey().equals("__metadata__")) {
                        for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                            metadata.put(m.getKey(), m.getValue().getAsString());
                        }
                        continue;
                    }
                    JsonObject o = e.getValue().getAsJsonObject();
                    String dtype = o.get("dtype").getAsString();
                    TensorType t = TensorType.ofSafetensors(dtype);
                    if (t == null) {
                        throw new WeightFormatException(file + ": tensor " + e.getKey() + " is " + dtype
                                + "; only F32, F16 and I64 are read");
                    }
                    JsonArray s = o.getAsJsonArray("shape");
                    long[] shape = new long[s.size()];
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = s.get(i).getAsLong();
                    }
                    JsonArray r = o.getAsJsonArray("data_offsets");
                    if (r.size() != 2) {
                        throw new IllegalStateException("data_offsets needs 2 values");
                    }
                    long from = r.get(0).getAsLong();
                    long to = r.get(1).getAsLong();
                    if (from < 0 || to < from || Math.multiplyExact(TensorData.numel(shape), t.bytes()) != to - from) {
                        throw new WeightFormatException(file + ": tensor " + e.getKey() + " of shape "
                                + java.util.Arrays.toString(shape) + " has a byte range " + from + ".." + to
                                + " of another size");
                    }
                    shapes.put(e.getKey(), shape);
                    types.put(e.getKey(), t);
                    ranges.put(e.getKey(), new long[] {from, to});
                } catch (IllegalStateException | UnsupportedOperationException | NullPointerException
                        | ArithmeticException | IllegalArgumentException ex) {
                    throw new WeightFormatException(file + ": malformed header entry " + e.getKey(), ex);
                }
            }
            // tensors in file order: ranges must tile the data exactly
            java.util.List<String> byOffset = new java.util.ArrayList<>(ranges.keySet());
            byOffset.sort(java.util.Comparator.comparingLong(k -> ranges.get(k)[0]));
            long at = 0;
            for (String k : byOffset) {
                if (ranges.get(k)[0] != at) {
                    throw new WeightFormatException(file + ": tensor " + k + " starts at byte " + ranges.get(k)[0]
                            + ", not " + at + " (gap or overlap)");
                }
                at = ranges.get(k)[1];
            }
            if (at != size - 8 - n) {
                throw new WeightFormatException(file + " holds " + (size - 8 - n) + " bytes of data, its header "
                        + "describes " + at + " (truncated or corrupt)");
            }
            Map<String, byte[]> data = new LinkedHashMap<>();
            for (String k : byOffset) {
                long[] r = ranges.get(k);
                if (r[1] - r[0] > Integer.MAX_VALUE - 8) {
                    throw new WeightFormatException(file + ": tensor " + k + " is too large");
                }
                byte[] b = in.readNBytes((int) (r[1] - r[0]));
                if (b.length != r[1] - r[0]) {
                    throw new EOFException(file + " is truncated");
                }
                data.put(k, b);
            }
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            for (String k : ranges.keySet()) {
                tensors.put(k, new TensorData(types.get(k), shapes.get(k), data.get(k)));
            }
            return new StateDict(tensors, metadata);
        }
    }
}
