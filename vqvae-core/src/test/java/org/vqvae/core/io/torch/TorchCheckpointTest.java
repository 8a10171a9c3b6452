package org.vqvae.core.io.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The .pt reader: a state_dict of views written by PyTorch ({@code make_views.py}) reads back with
 * PyTorch's values; every hostile or broken file is refused with one line, nothing run.
 */
class TorchCheckpointTest {

    @TempDir Path dir;

    private Path fixture() throws IOException {
        return fixture("views.pt");
    }

    private Path fixture(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/torch/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    void readsAPriorCheckpointWithItsArguments() throws IOException {
        StateDict sd = TorchCheckpoint.read(fixture("wrapped.pt"));
        assertEquals(List.of("w"), List.copyOf(sd.tensors().keySet()));
        assertEquals(java.util.Map.of("args.hier", "top", "args.channel", "16", "args.dropout", "0.1", "args.amp",
                "None", "args.cond", "True", "args.shape", "(8, 8)"), sd.metadata());
    }

    @Test
    void readsViewsOffsetsStridesAndTypes() throws IOException {
        StateDict sd = TorchCheckpoint.read(fixture());
        assertEquals(List.of("transposed", "sliced_half", "long", "scalar", "shared", "empty"),
                List.copyOf(sd.tensors().keySet()));
        TensorData t = sd.tensors().get("transposed");
        assertEquals(TensorType.FLOAT32, t.type());
        assertArrayEquals(new long[] {4, 3}, t.shape());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, floats(t));
        TensorData h = sd.tensors().get("sliced_half");
        assertEquals(TensorType.FLOAT16, h.type());
        assertArrayEquals(new long[] {5}, h.shape());
        short[] halves = new short[5];
        ByteBuffer.wrap(h.data()).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(halves);
        // 2.0, 3.0, ... 6.0 in IEEE half precision
        assertArrayEquals(new short[] {0x4000, 0x4200, 0x4400, 0x4500, 0x4600}, halves);
        TensorData l = sd.tensors().get("long");
        assertEquals(TensorType.INT64, l.type());
        long[] longs = new long[6];
        ByteBuffer.wrap(l.data()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(longs);
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5}, longs);
        assertArrayEquals(new long[0], sd.tensors().get("scalar").shape());
        assertArrayEquals(new float[] {3.5f}, floats(sd.tensors().get("scalar")));
        assertArrayEquals(new float[] {4, 6, 8, 10}, floats(sd.tensors().get("shared")));
        assertArrayEquals(new long[] {0, 3}, sd.tensors().get("empty").shape());
    }

    private static float[] floats(TensorData t) {
        float[] f = new float[(int) t.numel()];
        ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    @Test
    void refusesOtherGlobalsWithoutRunningThem() throws IOException {
        Path marker = dir.resolve("PWNED");
        String cmd = "touch " + marker;
        // GLOBAL posix.system, then REDUCE with (cmd,): what pickle writes for os.system
        byte[] global = concat(bytes(0x80, 2), ascii("cposix\nsystem\n"), unicode(cmd), bytes(0x85, 'R', '.'));
        assertRefused(zip("a", global), "posix.system");
        // protocol 4's STACK_GLOBAL builtins.eval
        byte[] stack = concat(bytes(0x80, 4), shortUnicode("builtins"), shortUnicode("eval"), bytes(0x93),
                shortUnicode("print(1)"), bytes(0x85, 'R', '.'));
        assertRefused(zip("b", stack), "builtins.eval");
        // INST and OBJ build classes by name
        assertRefused(zip("c", concat(bytes(0x80, 2, '('), ascii("iposix\nsystem\n."))), "opcode 0x69");
        assertRefused(zip("d", concat(bytes(0x80, 2, '('), ascii("ccollections\nOrderedDict\n"), bytes('o', '.'))),
                "opcode 0x6f");
        // BUILD on something that is not an OrderedDict
        assertRefused(zip("e", bytes(0x80, 2, ']', '}', 'b', '.')), "sets the state");
        // a length prefix far past the end is refused before it is allocated
        assertRefused(zip("f", concat(bytes(0x80, 2, 'X'), le32(0x7ffffff0), ascii("abc"))), "runs past its end");
        assertFalse(Files.exists(marker));
    }

    @Test
    void refusesBrokenContainers() throws IOException {
        Path pt = fixture();
        byte[] all = Files.readAllBytes(pt);
        Path cut = dir.resolve("cut.pt");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        assertRefused(cut, "not a zip archive");
        Path text = dir.resolve("text.pt");
        Files.writeString(text, "hello");
        assertRefused(text, "not a zip archive");
        Path empty = dir.resolve("nopickle.pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(empty))) {
            z.putNextEntry(new ZipEntry("x/version"));
            z.write('3');
        }
        assertRefused(empty, "no data.pkl");
    }

    @Test
    void refusesMissingOrShortStorage() throws IOException {
        // {'w': _rebuild_tensor_v2(persistent ('storage', FloatStorage, '0', 'cpu', 4), 0, (4,), (1,), False, OrderedDict())}
        byte[] pickle = concat(bytes(0x80, 2, '}'), unicode("w"), ascii("ctorch._utils\n_rebuild_tensor_v2\n"),
                bytes('(', '('), unicode("storage"), ascii("ctorch\nFloatStorage\n"), unicode("0"), unicode("cpu"),
                bytes('K', 4, 't', 'Q', 'K', 0, 'K', 4, 0x85, 'K', 1, 0x85, 0x89), ascii("ccollections\nOrderedDict\n"),
                bytes(')', 'R', 't', 'R', 's', '.'));
        assertRefused(zip("g", pickle), "no entry g/data/0");
        Path shortStorage = zip("h", pickle, "h/data/0", new byte[12]);
        assertRefused(shortStorage, "holds 12 bytes, its pickle says 16");
        StateDict ok = TorchCheckpoint.read(zip("i", pickle, "i/data/0", new byte[16]));
        assertArrayEquals(new long[] {4}, ok.tensors().get("w").shape());
        // a view reaching past its storage
        byte[] past = pickle.clone();
        int at = indexOf(past, bytes('K', 4, 0x85, 'K', 1, 0x85)); // size (4,) -> (5,)
        past[at + 1] = 5;
        assertRefused(zip("j", past, "j/data/0", new byte[16]), "reaches past its storage");
    }

    private static void assertRefused(Path file, String words) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains(words), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private Path zip(String name, byte[] pickle, Object... entries) throws IOException {
        Path p = dir.resolve(name + ".pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            stored(z, name + "/data.pkl", pickle);
            for (int i = 0; i < entries.length; i += 2) {
                stored(z, (String) entries[i], (byte[]) entries[i + 1]);
            }
        }
        return p;
    }

    private static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(data);
    }

    private static int indexOf(byte[] a, byte[] b) {
        for (int i = 0; i + b.length <= a.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(a, i, i + b.length), b)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] le32(int n) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(n).array();
    }

    static byte[] unicode(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        return concat(bytes('X'), le32(u.length), u);
    }

    static byte[] shortUnicode(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        return concat(bytes(0x8c, u.length), u);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

}
