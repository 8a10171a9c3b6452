package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.vqvae.core.data.BatchPlan;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.io.NamedArrays;
import org.vqvae.core.io.Npy;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.TrainingOptions;
import org.vqvae.core.train.TrainingSummary;
import org.vqvae.core.train.VqVaeTrainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The paper's VQ-VAE trained for the same steps on Fashion-MNIST by us ({@code vqvae train --paper}:
 * {@link VqVaeConfig#paper}) and by the PyTorch reference {@code vqvae-bench/python/torch_vqvae.py},
 * seed by seed, on the same batches (our {@link BatchPlan}, handed to PyTorch as a .npy of
 * indices): held-out MSE and codebook perplexity on the whole test set, side by side. With {@code
 * --init torch} our side starts from the reference's initial weights of the same seed (saved by
 * {@code torch_vqvae.py --save-init}, loaded with {@link NamedArrays}), which separates what our
 * training does from what our initial draw does. A run whose codebook perplexity ends below
 * {@value #COLLAPSED} is counted as collapsed.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.FidelityReport \
 *     --data /usr/share/datasets/fashion-mnist --steps 300 --seeds 0,1,2 [--init ours|torch] \
 *     --out bench/fidelity.json
 * </pre>
 */
public final class FidelityReport {

    /** Codebook perplexity below which a run counts as collapsed (fewer than two codes in effective use). */
    static final double COLLAPSED = 2.0;

    private FidelityReport() {}

    /**
     * Runs the comparison.
     *
     * @param args {@code --data DIR --steps N --batch B --threads T --seeds S,... --init ours|torch --python EXE
     *     --script FILE --out FILE}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String data = "/usr/share/datasets/fashion-mnist";
        long steps = 300;
        int batch = 128;
        int threads = 2;
        String seeds = "0,1,2";
        String init = "ours";
        String python = "/usr/bin/python3";
        String script = "vqvae-bench/python/torch_vqvae.py";
        Path out = Path.of("bench/fidelity.json");
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--data" -> data = v;
                case "--steps" -> steps = Long.parseLong(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--seeds" -> seeds = v;
                case "--init" -> init = v;
                case "--python" -> python = v;
                case "--script" -> script = v;
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!init.equals("ours") && !init.equals("torch")) {
            throw new IllegalArgumentException("--init must be ours or torch, got " + init);
        }
        boolean fromTorch = init.equals("torch");
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("DJL_DISABLE_PROGRESS_BAR", "true");
        DataSpec.Splits<ImageSet> splits = DataSpec.parse("fashion-mnist:" + data).load();
        VqVaeConfig config = VqVaeConfig.paper(1, 28, 28);
        JsonObject report = new JsonObject();
        report.addProperty("benchmark", "the paper's VQ-VAE (vqvae train --paper) and the PyTorch reference"
                + " vqvae-bench/python/torch_vqvae.py, Fashion-MNIST, " + steps + " steps of " + batch
                + ", Adam 2e-4, the same batches, whole test set"
                + (fromTorch ? "; our side starts from the reference's initial weights of each seed" : ""));
        report.addProperty("ours_init", fromTorch ? "torch_vqvae.py's initial weights" : "our own draw");
        report.addProperty("threads", threads);
        report.addProperty("engine", "DJL " + Engine.getDjlVersion() + ", libtorch " + Engine.getEngine("PyTorch").getVersion());
        JsonArray runs = new JsonArray();
        double[] sums = new double[4];
        int n = 0;
        int oursCollapsed = 0;
        int torchCollapsed = 0;
        Path work = Files.createTempDirectory("vqvae-fidelity-");
        for (String s : seeds.split(",")) {
            int seed = Integer.parseInt(s.trim());
            Path order = work.resolve("order-" + seed + ".npy");
            writeOrder(order, BatchPlan.shuffled(splits.train().size(), batch, seed), steps, batch);
            Path initial = fromTorch ? work.resolve("init-" + seed + ".npz") : null;
            JsonObject theirs = runReference(python, script, data, steps, batch, threads, seed, order, initial);
            Engine.getEngine("PyTorch").setRandomSeed(seed); // as TrainCommand does
            TrainingOptions options = new TrainingOptions(steps, batch, 2e-4f, seed, steps, work.resolve("run-" + seed), false);
            VqVae model = new VqVae(config);
            TrainingSummary ours;
            try (NDManager parameters = NDManager.newBaseManager(Device.cpu())) {
                if (fromTorch) {
                    // an initialised model keeps its parameters when training starts
                    model.initialize(parameters);
                    NamedArrays.load(model, initial);
                }
                ours = new VqVaeTrainer(model, options, new PrintStream(new ByteArrayOutputStream()))
                        .train(splits, data, Device.cpu());
            }
            JsonObject r = new JsonObject();
            r.addProperty("seed", seed);
            r.addProperty("ours_test_mse", round(ours.testMse()));
            r.addProperty("torch_test_mse", theirs.get("test_mse").getAsDouble());
            r.addProperty("ours_perplexity", round(ours.perplexity()));
            r.addProperty("torch_perplexity", theirs.get("perplexity").getAsDouble());
            r.addProperty("ours_ms_per_step", round(ours.msPerStep()));
            r.addProperty("torch_ms_per_step", theirs.get("ms_per_step").getAsDouble());
            runs.add(r);
            oursCollapsed += ours.perplexity() < COLLAPSED ? 1 : 0;
            torchCollapsed += theirs.get("perplexity").getAsDouble() < COLLAPSED ? 1 : 0;
            sums[0] += ours.testMse();
            sums[1] += theirs.get("test_mse").getAsDouble();
            sums[2] += ours.perplexity();
            sums[3] += theirs.get("perplexity").getAsDouble();
            n++;
            System.out.println(r);
            // written after every seed: a long comparison cut short keeps the seeds it finished
            report.add("runs", runs);
            report.addProperty("ours_mean_test_mse", round(sums[0] / n));
            report.addProperty("torch_mean_test_mse", round(sums[1] / n));
            report.addProperty("mse_ratio_ours_over_torch", round(sums[0] / sums[1]));
            report.addProperty("ours_mean_perplexity", round(sums[2] / n));
            report.addProperty("torch_mean_perplexity", round(sums[3] / n));
            report.addProperty("ours_collapsed_runs", oursCollapsed);
            report.addProperty("torch_collapsed_runs", torchCollapsed);
            report.addProperty("torch", theirs.get("peer").getAsString());
            AtomicFiles.writeString(out, JsonUtils.GSON_PRETTY.toJson(report) + "\n");
        }
        System.out.println(JsonUtils.GSON_PRETTY.toJson(report));
    }

    /** Writes the first {@code steps} batches of a plan as an int64 {@code [steps, batch]} .npy. */
    private static void writeOrder(Path file, BatchPlan plan, long steps, int batch) throws IOException {
        long[] idx = new long[(int) steps * batch];
        for (int b = 0; b < steps; b++) {
            int[] one = plan.indices(b);
            for (int i = 0; i < batch; i++) {
                idx[b * batch + i] = one[i];
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Npy.write(file, m.create(idx, new Shape(steps, batch)));
        }
    }

    private static JsonObject runReference(String python, String script, String data, long steps, int batch,
            int threads, int seed, Path order, Path saveInit) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(python, script, "--data", data, "--steps",
                Long.toString(steps), "--batch", Integer.toString(batch), "--threads", Integer.toString(threads),
                "--seed", Integer.toString(seed), "--order", order.toString()));
        if (saveInit != null) {
            cmd.addAll(List.of("--save-init", saveInit.toString()));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String last = null;
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                last = line;
            }
        }
        if (p.waitFor() != 0 || last == null) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + output);
        }
        return JsonUtils.GSON.fromJson(last, JsonObject.class);
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
