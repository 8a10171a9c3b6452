package org.vqvae.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Random;

class HostArraysTest {

    @Test
    void valuesArriveAsGiven() {
        Random r = new Random(1);
        float[] f = new float[1000];
        long[] l = new long[1000];
        int[] i = new int[1000];
        byte[] b = new byte[1003];
        for (int k = 0; k < 1000; k++) {
            f[k] = (float) r.nextGaussian();
            l[k] = r.nextLong();
            i[k] = r.nextInt();
        }
        r.nextBytes(b);
        try (NDManager m = NDManager.newBaseManager()) {
            Shape s = new Shape(10, 100);
            assertArrayEquals(f, HostArrays.floats(m, f, s).toFloatArray());
            assertArrayEquals(l, HostArrays.longs(m, l, s).toLongArray());
            assertArrayEquals(i, HostArrays.ints(m, i, s).toIntArray());
            NDArray bytes = HostArrays.bytes(m, b, 3, s, DataType.UINT8);
            assertEquals(DataType.UINT8, bytes.getDataType());
            assertArrayEquals(java.util.Arrays.copyOfRange(b, 3, 1003), bytes.toByteArray());
            float[] img = HostArrays.images(m, b, 3, new Shape(1, 1, 10, 100)).toFloatArray();
            for (int k = 0; k < 1000; k++) {
                assertEquals((b[k + 3] & 0xff) / 255f - 0.5f, img[k], 1e-7f);
            }
            assertThrows(IllegalArgumentException.class, () -> HostArrays.floats(m, f, new Shape(3)));
        }
    }

    @Test
    void anArrayKeepsItsValuesAfterTheStagingBufferIsReused() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray first = HostArrays.floats(m, new float[] {1, 2, 3}, new Shape(3));
            HostArrays.floats(m, new float[] {7, 8, 9}, new Shape(3));
            assertArrayEquals(new float[] {1, 2, 3}, first.toFloatArray());
        }
    }

    @Test
    void repeatedTransfersLeaveNoDirectMemoryBehind() {
        // NDManager.create(float[]) leaves a fresh 4 MB direct buffer behind per call here (freed
        // only by a garbage collection); through the staging buffer the pool grows by one buffer
        float[] data = new float[1 << 20];
        long before = directBytes();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int k = 0; k < 200; k++) {
                try (NDManager step = m.newSubManager()) {
                    HostArrays.floats(step, data, new Shape(data.length));
                }
            }
        }
        long grown = directBytes() - before;
        assertTrue(grown <= 8L << 20, "direct memory grew by " + grown + " bytes over 200 transfers of 4 MB");
    }

    private static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }
}
