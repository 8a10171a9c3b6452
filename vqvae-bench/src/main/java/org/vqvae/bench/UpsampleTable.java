package org.vqvae.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@link UpsampleBenchmark}'s report as Markdown: one table per site, then the sums a decode (the
 * sites outside training only, forward) and a training step (every site, forward and backward)
 * would see, each figure with its ratio to PyTorch's.
 */
final class UpsampleTable {

    static final String PEER = "pytorch_conv_transpose2d";

    private UpsampleTable() {}

    /**
     * Renders a report.
     *
     * @param report {@link UpsampleBenchmark}'s JSON
     * @return the Markdown
     */
    static String markdown(JsonObject report) {
        StringBuilder md = new StringBuilder("# Transposed convolution (4x4, stride 2, padding 1): variants\n\n");
        md.append(report.get("benchmark").getAsString()).append("; ").append(report.get("threads").getAsInt())
                .append(" threads, ").append(report.get("machine").getAsString()).append("; ours: ")
                .append(report.get("engine").getAsString()).append("; PyTorch side: ")
                .append(report.get("peer").getAsString()).append(".\n\n");
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (JsonElement e : report.getAsJsonArray("sites")) {
            JsonObject site = e.getAsJsonObject();
            md.append("## ").append(site.get("where").getAsString()).append(": ").append(site.get("shape").getAsString())
                    .append("\n\n");
            double[] peer = ms(site, PEER);
            header(md);
            for (String name : site.keySet()) {
                if (!site.get(name).isJsonObject()) {
                    continue;
                }
                double[] v = ms(site, name);
                row(md, name, v, peer);
                double[] sum = sums.computeIfAbsent(name, k -> new double[2]);
                sum[0] += site.get("training_only").getAsBoolean() ? 0 : v[0];
                sum[1] += v[1];
            }
            md.append('\n');
        }
        md.append("## Sums: decode (forward, the sites a decode runs) and training (forward and backward, every site)\n\n");
        header(md);
        for (Map.Entry<String, double[]> s : sums.entrySet()) {
            row(md, s.getKey(), s.getValue(), sums.get(PEER));
        }
        return md.toString();
    }

    private static void header(StringBuilder md) {
        md.append("| variant | fwd ms | fwd+bwd ms | fwd ratio to PyTorch | fwd+bwd ratio to PyTorch |\n")
                .append("| --- | ---: | ---: | ---: | ---: |\n");
    }

    private static void row(StringBuilder md, String name, double[] v, double[] peer) {
        md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %s | %s |%n", name, v[0], v[1],
                ratio(v[0], peer == null ? 0 : peer[0]), ratio(v[1], peer == null ? 0 : peer[1])));
    }

    private static String ratio(double ours, double theirs) {
        return theirs > 0 ? String.format(Locale.ROOT, "%.2f", ours / theirs) : "-";
    }

    private static double[] ms(JsonObject site, String name) {
        if (!site.has(name)) {
            return null;
        }
        JsonObject o = site.getAsJsonObject(name);
        return new double[] {o.get("fwd_ms").getAsDouble(), o.get("fwd_bwd_ms").getAsDouble()};
    }
}
