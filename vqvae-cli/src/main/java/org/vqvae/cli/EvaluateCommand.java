package org.vqvae.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import org.vqvae.core.io.AtomicFiles;
import org.vqvae.prior.CodeExtraction;
import org.vqvae.prior.CodeMaps;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.CodeSet;
import org.vqvae.prior.PriorTrainer;
import org.vqvae.prior.Priors;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vqvae evaluate}: the held-out figures of a trained pipeline (VQ-VAE or VQ-VAE-2, its
 * extracted codes and priors), set beside a paper's published figures in {@code results.json} and
 * {@code RESULTS.md}.
 *
 * <p>Measured here, on the held-out split of {@code extract-codes}: each level's codebook usage and
 * perplexity, each prior's negative log-likelihood in bits (and nats) per code, and the whole
 * model's bits per image dimension with the learned priors and with a uniform prior over the codes
 * (the bound the VQ-VAE trains, van den Oord et al. 2017, section 3.2). The reconstruction MSE is
 * the one {@code extract-codes} measured on every held-out image; training figures (steps, step
 * time) come from the runs' {@code summary.json}.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Held-out figures of a trained pipeline beside a paper's: codebook usage per level, each prior's"
                + " bits per code on the held-out codes, bits/dim of the whole model, reconstruction MSE. Writes"
                + " DIR/results.json and DIR/RESULTS.md.")
final class EvaluateCommand implements Callable<Integer> {

    private static final double LN2 = Math.log(2);

    @Option(names = "--codes", paramLabel = "DIR", required = true, description = "Directory written by extract-codes.")
    Path codes;

    @Option(names = "--prior", paramLabel = "DIR", description = "Prior of a one-level VQ-VAE's codes.")
    Path prior;

    @Option(names = "--top-prior", paramLabel = "DIR", description = "VQ-VAE-2 top-level prior.")
    Path topPrior;

    @Option(names = "--middle-prior", paramLabel = "DIR", description = "VQ-VAE-2 middle-level prior (3 levels).")
    Path middlePrior;

    @Option(names = "--bottom-prior", paramLabel = "DIR", description = "VQ-VAE-2 bottom-level prior.")
    Path bottomPrior;

    @Option(names = "--paper", paramLabel = "FILE",
            description = "Published figures to compare with: JSON {\"source\": ..., \"figures\": [{\"key\", \"figure\","
                    + " \"value\", \"unit\", \"source\", \"note\"}]}, key naming the measured figure.")
    Path paper;

    @Option(names = "--samples", paramLabel = "FILE",
            description = "A samples grid to link from RESULTS.md (a relative path is resolved against --out).")
    Path samples;

    @Option(names = "--timings", paramLabel = "FILE", description = "Stage times, lines of 'stage seconds'.")
    Path timings;

    @Option(names = "--title", paramLabel = "TEXT", defaultValue = "results", description = "Heading of RESULTS.md.")
    String title;

    @Option(names = "--note", paramLabel = "TEXT", description = "A paragraph under the heading (repeatable).")
    List<String> notes = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where results.json and RESULTS.md go.")
    Path out;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Device device = engine.start();
        JsonObject meta = TrainPriorCommand.readMeta(codes);
        List<String> levels = new ArrayList<>();
        if (meta.has("levels")) {
            meta.getAsJsonArray("levels").forEach(e -> levels.add(e.getAsString()));
        } else {
            levels.add("codes");
        }
        Map<String, Path> priors = priorDirs(levels);
        JsonArray paperFigures = paper == null ? new JsonArray() : readPaper(paper);

        Map<String, Double> m = new LinkedHashMap<>();
        double mse = meta.has("test_mse") ? meta.get("test_mse").getAsDouble() : Double.NaN;
        m.put("test_mse", mse);
        Path modelSummary = meta.has("model") ? Path.of(meta.get("model").getAsString()).resolve("summary.json") : null;
        if (modelSummary != null && Files.isRegularFile(modelSummary)) {
            JsonObject s = readJson(modelSummary);
            copy(s, "mean_image_mse", m, "mean_image_mse");
            copy(s, "steps", m, "vqvae_steps");
            copy(s, "batch", m, "vqvae_batch");
            copy(s, "ms_per_step", m, "vqvae_ms_per_step");
        }
        int imageDims = meta.has("image_dims") ? meta.get("image_dims").getAsInt() : 0;
        double learnedBits = 0;
        double uniformBits = 0;
        boolean allPriors = true;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            for (int l = 0; l < levels.size(); l++) {
                String name = levels.get(l);
                boolean oneLevel = name.equals("codes");
                JsonObject lm = oneLevel ? meta : meta.getAsJsonObject("level_" + name);
                int k = lm.get("num_codes").getAsInt();
                int positions = lm.get("height").getAsInt() * lm.get("width").getAsInt();
                CodeSet test = oneLevel ? CodeSet.read(codes, "test") : CodeSet.read(codes, "test", name);
                double[] usage = usage(test.codes(), k);
                m.put("codebook_usage_" + name, usage[0]);
                m.put("perplexity_" + name, usage[1]);
                uniformBits += positions * Math.log(k) / LN2;
                Path dir = priors.get(name);
                if (dir == null) {
                    allPriors = false;
                    continue;
                }
                if (l + 1 < levels.size()) {
                    test = test.conditionedOn(CodeSet.read(codes, "test", levels.get(l + 1)));
                }
                try (NDManager pm = manager.newSubManager()) {
                    CodePrior p = Priors.load(dir, pm);
                    CodeSet checked = test.check(p, "held-out codes of level " + name);
                    if ((p.conditionCodes() > 0) != (test.condition() != null)) {
                        throw new IllegalArgumentException(dir + " is " + (p.conditionCodes() > 0 ? "" : "not ")
                                + "conditioned on a level above, the " + name + " level "
                                + (test.condition() != null ? "is" : "is not"));
                    }
                    double bits = PriorTrainer.bitsPerCode(p, checked, pm);
                    m.put("prior_bits_per_code_" + name, bits);
                    m.put("prior_nats_per_code_" + name, bits * LN2);
                    learnedBits += positions * bits;
                }
                Path ps = dir.resolve("summary.json");
                if (Files.isRegularFile(ps)) {
                    JsonObject s = readJson(ps);
                    copy(s, "steps", m, "prior_steps_" + name);
                    copy(s, "batch", m, "prior_batch_" + name);
                    copy(s, "ms_per_step", m, "prior_ms_per_step_" + name);
                }
            }
        }
        if (imageDims > 0 && mse > 0) {
            // bits/dim = (code bits + C*H*W * Gaussian reconstruction term) / (C*H*W); README
            m.put("bits_per_dim_uniform_prior", CodeExtraction.bitsPerDim(uniformBits, 1, imageDims, mse));
            if (allPriors) {
                m.put("bits_per_dim", CodeExtraction.bitsPerDim(learnedBits, 1, imageDims, mse));
            }
        }
        m.put("held_out_maps", (double) CodeSet.read(codes, "test", levels.get(0).equals("codes") ? null : levels.get(0))
                .count());

        if (samples != null && !Files.isRegularFile(samples.isAbsolute() ? samples : out.resolve(samples))) {
            throw new java.nio.file.NoSuchFileException(samples.toString(), null,
                    "no samples grid there (a relative --samples is resolved against --out)");
        }
        Map<String, Double> stageSeconds = timings == null ? Map.of() : readTimings(timings);
        JsonObject results = results(m, paperFigures, stageSeconds, priors);
        Files.createDirectories(out);
        // nulls kept: a paper figure with nothing measured beside it says so
        AtomicFiles.writeString(out.resolve("results.json"),
                new com.google.gson.GsonBuilder().serializeNulls().setPrettyPrinting().create().toJson(results) + "\n");
        AtomicFiles.writeString(out.resolve("RESULTS.md"), markdown(results));
        for (Map.Entry<String, Double> e : m.entrySet()) {
            System.out.printf(Locale.ROOT, "%-34s %s%n", e.getKey(), format(e.getValue()));
        }
        System.out.println("wrote " + out.resolve("results.json") + " and " + out.resolve("RESULTS.md"));
        return 0;
    }

    private Map<String, Path> priorDirs(List<String> levels) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        boolean oneLevel = levels.size() == 1;
        if (oneLevel) {
            if (topPrior != null || middlePrior != null || bottomPrior != null) {
                throw new IllegalArgumentException(codes + " holds one level of codes: give --prior, not --top-prior etc.");
            }
            if (prior != null) {
                dirs.put("codes", prior);
            }
            return dirs;
        }
        if (prior != null) {
            throw new IllegalArgumentException(codes + " holds VQ-VAE-2 levels " + String.join(", ", levels)
                    + ": give --top-prior and --bottom-prior instead of --prior");
        }
        Map<String, Path> given = new LinkedHashMap<>();
        given.put("top", topPrior);
        given.put("middle", middlePrior);
        given.put("bottom", bottomPrior);
        for (Map.Entry<String, Path> e : given.entrySet()) {
            if (e.getValue() != null) {
                if (!levels.contains(e.getKey())) {
                    throw new IllegalArgumentException("--" + e.getKey() + "-prior: " + codes + " has levels "
                            + String.join(", ", levels));
                }
                dirs.put(e.getKey(), e.getValue());
            }
        }
        return dirs;
    }

    /** Fraction of the K codes that occur and the perplexity (exp of the entropy) of their frequencies. */
    static double[] usage(CodeMaps maps, int k) {
        long[] counts = new long[k];
        int per = maps.mapSize();
        int chunk = Math.max(1, (1 << 20) / per);
        long total = 0;
        for (int from = 0; from < maps.count(); from += chunk) {
            int n = Math.min(chunk, maps.count() - from);
            long[] c = maps.read(from, n);
            for (long code : c) {
                if (code < 0 || code >= k) {
                    throw new IllegalArgumentException(maps.source() + " holds code " + code + ", outside [0, " + k + ")");
                }
                counts[(int) code]++;
            }
            total += c.length;
        }
        int used = 0;
        double entropy = 0;
        for (long c : counts) {
            if (c > 0) {
                used++;
                double p = (double) c / total;
                entropy -= p * Math.log(p);
            }
        }
        return new double[] {(double) used / k, Math.exp(entropy)};
    }

    private JsonObject results(Map<String, Double> m, JsonArray paperFigures, Map<String, Double> stageSeconds,
            Map<String, Path> priors) {
        JsonObject r = new JsonObject();
        r.addProperty("title", title);
        r.addProperty("codes", codes.toAbsolutePath().toString());
        JsonObject p = new JsonObject();
        priors.forEach((level, dir) -> p.addProperty(level, dir.toAbsolutePath().toString()));
        r.add("priors", p);
        JsonObject measured = new JsonObject();
        m.forEach((key, value) -> {
            if (Double.isFinite(value)) {
                measured.addProperty(key, value);
            }
        });
        r.add("measured", measured);
        JsonArray comparison = new JsonArray();
        for (JsonElement e : paperFigures) {
            JsonObject f = e.getAsJsonObject().deepCopy();
            String key = f.get("key").getAsString();
            Double v = m.get(key);
            if (v != null && Double.isFinite(v)) {
                f.addProperty("measured", v);
            } else {
                f.add("measured", com.google.gson.JsonNull.INSTANCE);
            }
            comparison.add(f);
        }
        r.add("comparison", comparison);
        if (samples != null) {
            r.addProperty("samples", samples.toString());
        }
        JsonObject stages = new JsonObject();
        stageSeconds.forEach(stages::addProperty);
        r.add("stage_seconds", stages);
        JsonArray n = new JsonArray();
        notes.forEach(n::add);
        r.add("notes", n);
        return r;
    }

    private String markdown(JsonObject r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        for (JsonElement n : r.getAsJsonArray("notes")) {
            sb.append(n.getAsString()).append("\n\n");
        }
        sb.append("Written by `vqvae evaluate` from the codes in `").append(codes).append("`.\n\n");
        JsonArray comparison = r.getAsJsonArray("comparison");
        if (!comparison.isEmpty()) {
            sb.append("## Beside the paper\n\n| figure | measured | paper | unit | source |\n| --- | ---: | ---: | --- | --- |\n");
            for (JsonElement e : comparison) {
                JsonObject f = e.getAsJsonObject();
                sb.append("| ").append(text(f, "figure")).append(" | ")
                        .append(f.get("measured").isJsonNull() ? "not measured" : format(f.get("measured").getAsDouble()))
                        .append(" | ").append(f.has("value") && !f.get("value").isJsonNull()
                                ? format(f.get("value").getAsDouble()) : "-")
                        .append(" | ").append(text(f, "unit")).append(" | ").append(text(f, "source"));
                if (f.has("note")) {
                    sb.append(" (").append(text(f, "note")).append(')');
                }
                sb.append(" |\n");
            }
            sb.append('\n');
        }
        sb.append("## Every measured figure (held-out split)\n\n| key | value |\n| --- | ---: |\n");
        for (Map.Entry<String, JsonElement> e : r.getAsJsonObject("measured").entrySet()) {
            sb.append("| `").append(e.getKey()).append("` | ").append(format(e.getValue().getAsDouble())).append(" |\n");
        }
        JsonObject stages = r.getAsJsonObject("stage_seconds");
        if (!stages.entrySet().isEmpty()) {
            sb.append("\n## Stage times on this machine\n\n| stage | seconds |\n| --- | ---: |\n");
            for (Map.Entry<String, JsonElement> e : stages.entrySet()) {
                sb.append("| ").append(e.getKey()).append(" | ").append(format(e.getValue().getAsDouble())).append(" |\n");
            }
        }
        if (r.has("samples")) {
            String s = r.get("samples").getAsString();
            sb.append("\n## Samples, a row per class\n\n`").append(s).append("`\n\n![samples](")
                    .append(s).append(")\n");
        }
        return sb.toString();
    }

    private static String text(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString().replace("|", "\\|") : "";
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static void copy(JsonObject from, String key, Map<String, Double> to, String as) {
        if (from.has(key) && from.get(key).isJsonPrimitive() && from.get(key).getAsJsonPrimitive().isNumber()) {
            to.put(as, from.get(key).getAsDouble());
        }
    }

    private static JsonObject readJson(Path file) throws IOException {
        try {
            JsonObject o = JsonUtils.GSON.fromJson(Files.readString(file), JsonObject.class);
            if (o == null) {
                throw new IOException(file + " is empty");
            }
            return o;
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(file + " is malformed: " + e.getMessage(), e);
        }
    }

    static JsonArray readPaper(Path file) throws IOException {
        JsonObject o = readJson(file);
        if (!o.has("figures") || !o.get("figures").isJsonArray()) {
            throw new IOException(file + " lacks a 'figures' array");
        }
        JsonArray figures = o.getAsJsonArray("figures");
        for (JsonElement e : figures) {
            if (!e.isJsonObject() || !e.getAsJsonObject().has("key") || !e.getAsJsonObject().has("figure")) {
                throw new IOException(file + ": every figure needs a 'key' and a 'figure'");
            }
        }
        return figures;
    }

    static Map<String, Double> readTimings(Path file) throws IOException {
        Map<String, Double> t = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 2) {
                continue;
            }
            try {
                t.put(f[0], Double.parseDouble(f[1]));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": not 'stage seconds': " + line, e);
            }
        }
        return t;
    }
}
