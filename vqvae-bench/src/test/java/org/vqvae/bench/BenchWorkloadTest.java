package org.vqvae.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The suite's workloads named as the report names them, and one run outside JMH. */
class BenchWorkloadTest {

    @Test
    void everyParameterCombinationIsAFigureOfTheReport() {
        List<String> ids = BenchWorkload.of(BenchReport.SUITE).stream().map(BenchWorkload::id).toList();
        assertTrue(ids.containsAll(List.of("matmul-1024", "quantizer-N65536-K8192", "train-vqvae2-256",
                "encode-vqvae2-256", "decode-vqvae-28", "prior-step-pixelsnail-32", "sample-pixelsnail-16-fast")),
                ids.toString());
        assertEquals(ids.size(), ids.stream().distinct().count(), "ids are unique");
        Pattern defaults = Pattern.compile(ProfileReport.DEFAULT_ONLY);
        assertEquals(7, ids.stream().filter(id -> defaults.matcher(id).matches()).count());
    }

    @Test
    void runsTheBenchmarkMethodOnItsOwnFixture() throws Exception {
        BenchWorkload w = BenchWorkload.of(List.of(QuantizerBenchmark.class)).get(0);
        assertEquals("quantizer-N4096-K512", w.id());
        assertEquals(Map.of("vectors", "4096", "codes", "512", "dim", "64", "device", "cpu"), w.params());
        Object fixture = w.setUp();
        try {
            assertTrue(Double.isFinite((Double) w.call(fixture)));
        } finally {
            w.tearDown(fixture);
        }
    }
}
