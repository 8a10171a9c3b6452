package org.vqvae.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's rows: each JMH figure with its PyTorch counterpart, the time ratio (ours over
 * theirs: at or below 1.0 we are no slower), throughput, and for the quantizer the share of the
 * same side's matrix-multiply rate.
 */
final class ReportTable {

    /**
     * One row.
     *
     * @param id the figure id
     * @param what what one operation is
     * @param unit what the throughput counts
     * @param perOp units per operation
     * @param flops FLOPs per operation (0 when not counted)
     * @param ours our mean ms per operation
     * @param error standard deviation over the measurement iterations
     * @param theirs PyTorch's mean ms per operation (NaN without one)
     */
    record Row(String id, String what, String unit, double perOp, double flops, double ours, double error,
            double theirs) {

        double ratio() {
            return ours / theirs;
        }

        double throughput(double ms) {
            return perOp / (ms / 1000);
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final double ourMatmul;
    private final double theirMatmul;

    ReportTable(Map<String, BenchReport.Figure> ours, Map<String, Double> theirs) {
        for (BenchReport.Figure f : ours.values()) {
            Map<String, String> p = f.params();
            String id = f.id();
            Row row;
            double peer = theirs.getOrDefault(id, Double.NaN);
            if (id.startsWith("matmul-")) {
                long n = Long.parseLong(p.get("n"));
                row = new Row(id, n + "x" + n + " float32 matrix product", "GFLOP", 2.0 * n * n * n / 1e9,
                        2.0 * n * n * n, f.ms(), f.error(), peer);
            } else if (id.startsWith("quantizer-")) {
                long n = Long.parseLong(p.get("vectors"));
                long k = Long.parseLong(p.get("codes"));
                long d = Long.parseLong(p.get("dim"));
                row = new Row(id, "nearest of K=" + k + " codes + gather for N=" + n + " vectors, D=" + d, "vectors",
                        n, 2.0 * n * k * d, f.ms(), f.error(), peer);
            } else if (id.startsWith("train-") || id.startsWith("encode-") || id.startsWith("decode-")) {
                String model = p.get("model");
                String verb = id.substring(0, id.indexOf('-'));
                String what = switch (verb) {
                    case "train" -> "training step (fwd, bwd, Adam)";
                    case "encode" -> "encode images to codes";
                    default -> "decode codes to images";
                };
                row = new Row(id, what + ", " + FigureIds.name(model) + ", batch " + FigureIds.batch(model), "images",
                        FigureIds.batch(model), 0, f.ms(), f.error(), peer);
            } else if (id.startsWith("prior-step-")) {
                String prior = p.get("prior");
                row = new Row(id, "prior training step, " + FigureIds.name(prior) + " (K=512), batch "
                        + FigureIds.batch(prior), "maps", FigureIds.batch(prior), 0, f.ms(), f.error(), peer);
            } else if (id.startsWith("sample-")) {
                int samples = Integer.parseInt(p.get("samples"));
                row = new Row(id, p.get("sampler") + " sampling of " + samples + " " + p.get("prior") + " maps",
                        "maps", samples, 0, f.ms(), f.error(), peer);
            } else {
                row = new Row(id, id, "ops", 1, 0, f.ms(), f.error(), peer);
            }
            rows.add(row);
        }
        rows.sort(java.util.Comparator.comparingInt(ReportTable::group));
        ourMatmul = rate(rows, "matmul-1024", false);
        theirMatmul = rate(rows, "matmul-1024", true);
    }

    /** Rows in the order of the report: roofline, quantizer, autoencoders, priors, sampling. */
    private static int group(Row r) {
        String[] order = {"matmul-", "quantizer-", "train-", "encode-", "decode-", "prior-step-", "sample-"};
        for (int i = 0; i < order.length; i++) {
            if (r.id().startsWith(order[i])) {
                return i;
            }
        }
        return order.length;
    }

    private static double rate(List<Row> rows, String id, boolean peer) {
        for (Row r : rows) {
            if (r.id().equals(id)) {
                return r.flops() / ((peer ? r.theirs() : r.ours()) / 1000);
            }
        }
        return Double.NaN;
    }

    /** Share of the same side's matmul rate, or NaN when no FLOPs are counted. */
    private double share(Row r, boolean peer) {
        if (r.flops() == 0 || r.id().startsWith("matmul-")) {
            return Double.NaN;
        }
        return r.flops() / ((peer ? r.theirs() : r.ours()) / 1000) / (peer ? theirMatmul : ourMatmul);
    }

    JsonArray json() {
        JsonArray a = new JsonArray();
        for (Row r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty("id", r.id());
            o.addProperty("what", r.what());
            put(o, "ours_ms", r.ours());
            put(o, "ours_sd_ms", r.error());
            put(o, "ours_per_s", r.throughput(r.ours()));
            o.addProperty("unit", r.unit());
            if (!Double.isNaN(r.theirs())) {
                put(o, "pytorch_ms", r.theirs());
                put(o, "pytorch_per_s", r.throughput(r.theirs()));
                put(o, "ratio_ours_over_pytorch", r.ratio());
            }
            if (!Double.isNaN(share(r, false))) {
                put(o, "ours_share_of_matmul", share(r, false));
                if (!Double.isNaN(r.theirs())) {
                    put(o, "pytorch_share_of_matmul", share(r, true));
                }
            }
            a.add(o);
        }
        return a;
    }

    String markdown(JsonObject meta) {
        StringBuilder md = new StringBuilder();
        md.append("# vqvae-bench report\n\n");
        JsonObject machine = meta.getAsJsonObject("machine");
        JsonObject peer = meta.getAsJsonObject("peer");
        md.append(String.format(Locale.ROOT, "- machine: %s, %d cores, %s%n", machine.has("cpu")
                ? machine.get("cpu").getAsString() : "unknown CPU", machine.get("cores").getAsInt(),
                machine.get("os").getAsString()));
        md.append(String.format(Locale.ROOT, "- device: %s, %d threads on both sides; mode %s (%.1f minutes)%n",
                meta.get("device").getAsString(), meta.get("threads").getAsInt(), meta.get("mode").getAsString(),
                meta.get("minutes").getAsDouble()));
        md.append("- ours: ").append(meta.get("engine").getAsString()).append(", ")
                .append(meta.get("java").getAsString()).append('\n');
        md.append("- PyTorch: ").append(peer.has("peer") ? peer.get("peer").getAsString() : "-")
                .append(peer.has("blas") ? " (BLAS: " + peer.get("blas").getAsString() + ")" : "")
                .append(", ").append(peer.get("status").getAsString()).append('\n');
        md.append("- environment of both sides: ").append(meta.get("environment").toString()).append("\n\n");
        md.append("Times are means per operation (JMH AverageTime on our side, ± the standard deviation over its measurement iterations; the same "
                + "operations timed in a loop on the PyTorch side). Ratio = our time / PyTorch's: at or below 1.0 "
                + "we are no slower. Share of matmul = the figure's FLOP rate / the same side's 1024x1024 matmul "
                + "rate measured in this run.\n\n");
        md.append("| figure | one operation | ours ms | PyTorch ms | ratio | ours per s | share of matmul (ours / PyTorch) |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            String share = Double.isNaN(share(r, false)) ? ""
                    : pct(share(r, false)) + " / " + (Double.isNaN(r.theirs()) ? "-" : pct(share(r, true)));
            if (r.id().startsWith("matmul-")) {
                share = BenchReport.fmt(ourMatmul / 1e9) + " / " + BenchReport.fmt(theirMatmul / 1e9) + " GFLOP/s";
            }
            String ours = BenchReport.fmt(r.ours())
                    + (Double.isNaN(r.error()) ? "" : " ± " + BenchReport.fmt(r.error()));
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s %s | %s |%n", r.id(), r.what(),
                    ours, BenchReport.fmt(r.theirs()),
                    Double.isNaN(r.theirs()) ? "-" : "**" + BenchReport.fmt(r.ratio()) + "**",
                    BenchReport.fmt(r.throughput(r.ours())), r.unit(), share));
        }
        md.append("\nMade by `vqvae-bench/report.sh --mode ").append(meta.get("mode").getAsString())
                .append(" --threads ").append(meta.get("threads").getAsInt()).append(" --device ")
                .append(meta.get("device").getAsString()).append("`.\n");
        return md.toString();
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    private static void put(JsonObject o, String key, double v) {
        if (!Double.isNaN(v) && !Double.isInfinite(v)) {
            o.addProperty(key, round(v));
        }
    }

    private static double round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double scale = Math.pow(10, 3 - Math.max(0, (int) Math.floor(Math.log10(Math.abs(v) + 1e-12))));
        return Math.round(v * Math.max(1, scale)) / Math.max(1, scale);
    }
}
