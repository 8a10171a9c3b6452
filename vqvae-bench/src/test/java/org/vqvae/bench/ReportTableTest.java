package org.vqvae.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

/** The report's arithmetic on made-up figures, against values worked out by hand. */
class ReportTableTest {

    private static BenchReport.Figure figure(String id, double ms, String... params) {
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            p.put(params[i], params[i + 1]);
        }
        return new BenchReport.Figure(id, ms, Double.NaN, p);
    }

    @Test
    void ratiosThroughputsAndMatmulSharesAreComputedAsDocumented() {
        Map<String, BenchReport.Figure> ours = new LinkedHashMap<>();
        // given out of order: the report sorts them
        ours.put("train-vqvae-28", figure("train-vqvae-28", 200, "model", "vqvae-28:128", "device", "cpu"));
        ours.put("quantizer-N4096-K512", figure("quantizer-N4096-K512", 2, "vectors", "4096", "codes", "512",
                "dim", "64", "device", "cpu"));
        ours.put("matmul-1024", figure("matmul-1024", 10, "n", "1024", "device", "cpu"));
        Map<String, Double> theirs = Map.of("matmul-1024", 20.0, "quantizer-N4096-K512", 8.0, "train-vqvae-28", 400.0);
        JsonArray rows = new ReportTable(ours, theirs).json();
        assertEquals("matmul-1024", rows.get(0).getAsJsonObject().get("id").getAsString());
        JsonObject q = rows.get(1).getAsJsonObject();
        assertEquals("quantizer-N4096-K512", q.get("id").getAsString());
        assertEquals(0.25, q.get("ratio_ours_over_pytorch").getAsDouble(), 1e-9);
        assertEquals(4096 / 0.002, q.get("ours_per_s").getAsDouble(), 1);
        // 2 N K D FLOPs in 2 ms against 2 * 1024^3 in 10 ms; PyTorch: 8 ms against 20 ms
        double flops = 2.0 * 4096 * 512 * 64;
        double matmul = 2.0 * 1024 * 1024 * 1024;
        assertEquals(flops / 0.002 / (matmul / 0.010), q.get("ours_share_of_matmul").getAsDouble(), 1e-3);
        assertEquals(flops / 0.008 / (matmul / 0.020), q.get("pytorch_share_of_matmul").getAsDouble(), 1e-3);
        JsonObject t = rows.get(2).getAsJsonObject();
        assertEquals(0.5, t.get("ratio_ours_over_pytorch").getAsDouble(), 1e-9);
        assertEquals(128 / 0.2, t.get("ours_per_s").getAsDouble(), 1e-6);
        assertFalse(t.has("ours_share_of_matmul"), "no FLOPs are counted for a training step");
    }

    @Test
    void figureIdsMatchThePythonCounterparts() {
        assertEquals("quantizer-N65536-K8192", FigureIds.of("QuantizerBenchmark", "nearestAndGather",
                Map.of("vectors", "65536", "codes", "8192")));
        assertEquals("decode-vqvae2-256", FigureIds.of("CodecBenchmark", "decode", Map.of("model", "vqvae2-256:16")));
        assertEquals("sample-pixelsnail-16-fast", FigureIds.of("SamplingBenchmark", "sample",
                Map.of("prior", "pixelsnail-16", "sampler", "fast")));
        assertEquals("prior-step-pixelcnn-8", FigureIds.of("PriorStepBenchmark", "step", Map.of("prior", "pixelcnn-8:128")));
        assertEquals(16, FigureIds.batch("vqvae2-256:16"));
        assertEquals("train-vqvae2-256", FigureIds.of("TrainStepBenchmark", "step", Map.of("model", "vqvae2-256:16")));
        assertEquals("train-vqvae2-256-b128", FigureIds.of("TrainStepBenchmark", "step",
                Map.of("model", "vqvae2-256:128")));
    }

    @Test
    void aFigureWithoutCounterpartHasNoRatio() {
        Map<String, BenchReport.Figure> ours = new LinkedHashMap<>();
        ours.put("sample-pixelsnail-8-fast", figure("sample-pixelsnail-8-fast", 500, "prior", "pixelsnail-8",
                "sampler", "fast", "samples", "16"));
        ReportTable table = new ReportTable(ours, Map.of());
        JsonObject row = table.json().get(0).getAsJsonObject();
        assertFalse(row.has("ratio_ours_over_pytorch"));
        assertEquals(32, row.get("ours_per_s").getAsDouble(), 1e-9);
        JsonObject meta = new JsonObject();
        JsonObject machine = new JsonObject();
        machine.addProperty("cores", 2);
        machine.addProperty("os", "Linux");
        meta.add("machine", machine);
        meta.addProperty("device", "cpu");
        meta.addProperty("threads", 2);
        meta.addProperty("mode", "short");
        meta.addProperty("minutes", 1.0);
        meta.addProperty("engine", "DJL");
        meta.addProperty("java", "17");
        JsonObject peer = new JsonObject();
        peer.addProperty("status", "not run");
        meta.add("peer", peer);
        meta.add("environment", new JsonObject());
        String md = table.markdown(meta);
        assertTrue(md.contains("| sample-pixelsnail-8-fast | fast sampling of 16 pixelsnail-8 maps | 500 | - | - |"), md);
    }
}
