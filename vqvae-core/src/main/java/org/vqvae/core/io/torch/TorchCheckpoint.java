package org.vqvae.core.io.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the file {@code torch.save(model.state_dict(), path)} writes (PyTorch 1.6 and later): a zip
 * archive holding {@code <name>/data.pkl}, the pickled dictionary, and one {@code <name>/data/<key>}
 * entry per storage. No Python runs: the pickle is read by a {@link RestrictedUnpickler} that knows
 * only the few globals a state_dict needs and refuses every other one. Float32, float16 and int64
 * storages are read, views (offsets, strides) copied out as contiguous tensors. rosinality's prior
 * checkpoints, {@code {'model': state_dict, 'args': argparse.Namespace}}, read as their state_dict
 * with the arguments as metadata {@code args.NAME}.
 */
public final class TorchCheckpoint {

    /** The largest pickle read (a state_dict's pickle is kilobytes; its tensors live in other entries). */
    private static final long MAX_PICKLE = 64L << 20;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_]+");

    private TorchCheckpoint() {}

    /**
     * Reads a state_dict.
     *
     * @param file a {@code .pt} file
     * @return its tensors, in the dictionary's order (metadata: a prior checkpoint's {@code args.NAME})
     * @throws WeightFormatException if the file is not such a checkpoint, truncated, or its pickle asks
     *     for anything a state_dict does not need
     * @throws IOException if the file cannot be read
     */
    public static StateDict read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such checkpoint file");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | IllegalArgumentException e) {
            throw new WeightFormatException(file + " is not a PyTorch checkpoint: not a zip archive"
                    + " (truncated, or not written by torch.save of PyTorch 1.6 or later)", e);
        }
        try (zip) {
            String prefix = prefix(zip, file);
            byte[] pickle = entry(zip, prefix + "data.pkl", MAX_PICKLE, file);
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null && !"little".equals(new String(entry(zip, prefix + "byteorder", 16, file),
                    java.nio.charset.StandardCharsets.US_ASCII).trim())) {
                throw new WeightFormatException(file + ": big-endian checkpoints are not supported");
            }
            Map<String, byte[]> cache = new HashMap<>();
            RestrictedUnpickler.Storages storages = (type, key, numel) -> {
                if (!KEY.matcher(key).matches()) {
                    throw new WeightFormatException(file + ": malformed storage key " + key);
                }
                byte[] bytes = cache.get(key);
                if (bytes == null) {
                    long want = Math.multiplyExact(numel, type.bytes());
                    bytes = entry(zip, prefix + "data/" + key, want, file);
                    if (bytes.length != want) {
                        throw new WeightFormatException(file + ": storage " + key + " holds " + bytes.length
                                + " bytes, its pickle says " + want + " (truncated or corrupt)");
                    }
                    cache.put(key, bytes);
                }
                return bytes;
            };
            Object top;
            try {
                top = new RestrictedUnpickler(pickle, storages).read();
            } catch (WeightFormatException e) {
                String m = e.getMessage();
                throw new WeightFormatException(m.startsWith(file.toString()) ? m : file + ": " + m, e);
            }
            return toStateDict(top, file);
        } catch (ZipException e) {
            throw new WeightFormatException(file + " is a corrupt zip archive: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // java.util.zip reports an entry name that is not valid UTF-8 this way (found by fuzzing)
            throw new WeightFormatException(file + " is a corrupt zip archive: " + e.getMessage(), e);
        }
    }

    /** The archive's one top folder, which torch.save names after the file. */
    private static String prefix(ZipFile zip, Path file) throws WeightFormatException {
        List<String> pickles = new ArrayList<>();
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                pickles.add(name);
            }
        }
        if (pickles.size() != 1) {
            throw new WeightFormatException(file + " is not a PyTorch checkpoint: " + (pickles.isEmpty()
                    ? "its zip archive has no data.pkl" : "its zip archive has " + pickles.size() + " data.pkl"));
        }
        String p = pickles.get(0);
        return p.substring(0, p.length() - "data.pkl".length());
    }

    /** Reads an entry of at most {@code limit} bytes, refusing a larger one before reading it all. */
    private static byte[] entry(ZipFile zip, String name, long limit, Path file) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new WeightFormatException(file + ": the archive has no entry " + name + " (truncated or corrupt)");
        }
        if (e.getSize() > limit) {
            throw new WeightFormatException(file + ": entry " + name + " holds " + e.getSize()
                    + " bytes, more than the " + limit + " expected");
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (b.length > limit) {
                throw new WeightFormatException(file + ": entry " + name + " is larger than the " + limit
                        + " bytes expected");
            }
            return b;
        } catch (ZipException ex) {
            throw new WeightFormatException(file + ": entry " + name + " is corrupt: " + ex.getMessage(), ex);
        } catch (java.io.EOFException ex) {
            throw new WeightFormatException(file + ": entry " + name + " is truncated", ex);
        }
    }

    /**
     * The dictionary of tensors, or rosinality's prior checkpoint {@code {'model': state_dict, 'args':
     * Namespace}}, whose arguments become metadata {@code args.NAME} (their Python text: {@code 256},
     * {@code 0.1}, {@code True}, {@code top}).
     */
    private static StateDict toStateDict(Object top, Path file) throws WeightFormatException {
        if (!(top instanceof Map<?, ?> outer)) {
            throw new WeightFormatException(file + " holds a pickled " + (top == null ? "None"
                    : top.getClass().getSimpleName()) + ", not a state_dict (save model.state_dict())");
        }
        Map<?, ?> map = outer;
        Map<String, String> metadata = new LinkedHashMap<>();
        if (outer.get("model") instanceof Map<?, ?> inner && outer.keySet().stream().allMatch(k -> k.equals("model")
                || k.equals("args") && outer.get("args") instanceof RestrictedUnpickler.Namespace)) {
            if (outer.get("args") instanceof RestrictedUnpickler.Namespace ns) {
                ns.forEach((k, v) -> metadata.put("args." + k, python(v)));
            }
            map = inner;
        }
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorData t)) {
                throw new WeightFormatException(file + " is not a state_dict: entry " + e.getKey()
                        + " is not a named tensor (save model.state_dict(), not a training dictionary)");
            }
            tensors.put(name, t);
        }
        return new StateDict(tensors, metadata);
    }

    private static String python(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Object[] a) {
            return java.util.Arrays.stream(a).map(TorchCheckpoint::python)
                    .collect(java.util.stream.Collectors.joining(", ", "(", a.length == 1 ? ",)" : ")"));
        }
        if (v instanceof List<?> l) {
            return l.stream().map(TorchCheckpoint::python).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        }
        return String.valueOf(v);
    }
}
