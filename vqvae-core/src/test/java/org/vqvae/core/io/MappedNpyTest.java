package org.vqvae.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Memory-mapped reading of {@code .npy} files: big ones, NumPy's, and malformed ones. */
class MappedNpyTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /** A header of any version and text, as NumPy lays it out. */
    private static byte[] header(int version, String dict) {
        byte[] text = (dict + "\n").getBytes(StandardCharsets.UTF_8);
        int lengthBytes = version == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lengthBytes + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) version).put((byte) 0);
        if (version == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        return b.put(text).array();
    }

    @Test
    void readsMoreThan2To31ElementsAcrossMappedPieces(@TempDir Path dir) throws IOException {
        // 3 * 2^30 uint16 values: 6 GiB of sparse file, mapped as six 1 GiB pieces
        long n = 3L << 30;
        byte[] h = NpyHeader.encode(NpyType.U2, new long[] {n});
        Path f = dir.resolve("big.npy");
        long[] at = {0, (1L << 29) - 1, 1L << 29, (1L << 31) + 5, n - 1};
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(h);
            raf.setLength(h.length + 2 * n);
            for (long i : at) {
                raf.seek(h.length + 2 * i);
                raf.write(new byte[] {(byte) 0xFE, (byte) 0xFF}); // 65534, little-endian
            }
        }
        MappedNpy m = MappedNpy.open(f);
        assertEquals(n, m.count());
        for (long i : at) {
            long[] around = new long[3];
            long from = Math.max(0, Math.min(n - 3, i - 1));
            m.read(from, around, 0, 3);
            for (int k = 0; k < 3; k++) {
                long expected = java.util.Arrays.binarySearch(at, from + k) >= 0 ? 65534 : 0;
                assertEquals(expected, around[k], "element " + (from + k));
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> m.read(n - 1, new long[2], 0, 2));
    }

    @Test
    void readsVersion3Headers(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("v3.npy");
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).putLong(1L << 40);
        byte[] h = header(3, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }");
        Files.write(f, concat(h, data.array()));
        assertArrayEquals(new long[] {-5, 1L << 40}, MappedNpy.open(f).readAll());
    }

    @Test
    void refusesWhatItCannotReadWithOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        String[][] cases = {
            {"{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2), }", "Fortran order"},
            {"{'descr': '>i4', 'fortran_order': False, 'shape': (2, 2), }", "dtype >i4"},
            {"{'descr': '|O', 'fortran_order': False, 'shape': (2, 2), }", "dtype |O"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", "dtype <f4"},
            {"{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2, 2), }", "structured"},
            {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", "truncated"},
        };
        for (String[] c : cases) {
            Path f = dir.resolve("bad.npy");
            Files.write(f, concat(header(1, c[0]), new byte[16]));
            IOException e = assertThrows(IOException.class, () -> MappedNpy.open(f), c[0]);
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(c[1]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        Path junk = dir.resolve("junk.npy");
        Files.writeString(junk, "not numpy");
        assertTrue(assertThrows(IOException.class, () -> MappedNpy.open(junk)).getMessage().contains("not a .npy"));
        assertThrows(IOException.class, () -> MappedNpy.open(dir.resolve("missing.npy")));
    }

    @Test
    void readsWhatNumpyWrites(@TempDir Path dir) throws Exception {
        assumeNumpy();
        // every type, values at its ends and in between, shape (2, 3, 5)
        python("import numpy as np, sys\n"
                + "for t in ['u1', 'i1', '<u2', '<i2', '<i4', '<u4', '<i8']:\n"
                + "    i = np.iinfo(np.dtype(t))\n"
                + "    a = np.linspace(i.min, i.max, 30, dtype=np.float64).astype(np.dtype(t)).reshape(2, 3, 5)\n"
                + "    a.flat[0], a.flat[-1] = i.min, i.max\n"
                + "    np.save(sys.argv[1] + '/' + t.strip('<') + '.npy', a)\n"
                + "    open(sys.argv[1] + '/' + t.strip('<') + '.txt', 'w').write(' '.join(str(int(v)) for v in a.flat))\n",
                dir.toString());
        for (String t : new String[] {"u1", "i1", "u2", "i2", "i4", "u4", "i8"}) {
            MappedNpy m = MappedNpy.open(dir.resolve(t + ".npy"));
            assertArrayEquals(new long[] {2, 3, 5}, m.shape(), t);
            long[] expected = java.util.Arrays.stream(Files.readString(dir.resolve(t + ".txt")).split(" "))
                    .mapToLong(Long::parseLong).toArray();
            assertArrayEquals(expected, m.readAll(), t);
            assertTrue(m.type().descr().endsWith(t), m.type().descr());
        }
    }

    @Test
    void numpyReadsWhatNpyWriterWrites(@TempDir Path dir) throws Exception {
        assumeNumpy();
        for (NpyType type : NpyType.values()) {
            long[] v = NpyWriterTest.valuesOf(type, 4 * 3 * 5, 7);
            try (NpyWriter w = NpyWriter.open(dir.resolve(type.name() + ".npy"), type, 4, 3, 5)) {
                w.append(v, 0, v.length);
                w.commit();
            }
            String out = python("import numpy as np, sys\n"
                    + "a = np.load(sys.argv[1])\n"
                    + "print(a.dtype.str, a.shape, ' '.join(str(int(x)) for x in a.flat))\n",
                    dir.resolve(type.name() + ".npy").toString());
            StringBuilder expected = new StringBuilder(type.descr() + " (4, 3, 5)");
            for (long x : v) {
                expected.append(' ').append(x);
            }
            assertEquals(expected.toString(), out.trim(), type.descr());
        }
    }

    private static void assumeNumpy() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "skipped: no /usr/bin/python3 (apt-get install python3-numpy)");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import numpy").redirectErrorStream(true).start();
        Assumptions.assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
                "skipped: python3 lacks NumPy (apt-get install python3-numpy)");
    }

    private static String python(String script, String arg) throws Exception {
        Process p = new ProcessBuilder(List.of(PYTHON.toString(), "-c", script, arg)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
