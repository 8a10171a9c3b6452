package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.TrainingOptions;
import org.vqvae.core.train.TrainingSummary;
import org.vqvae.core.train.VqVaeTrainer;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The VQ-VAE training step side by side with the PyTorch-eager reference ({@code
 * vqvae-bench/python/torch_vqvae.py}, or another script with its options given as {@code --peer}), in one run on one
 * machine with the same threads, data, model and batch: our median step time, the reference's,
 * their ratio, and both as a fraction of the machine's matrix-multiply rate measured in the same
 * run.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.TrainStepReport \
 *     --data DIR --threads 2 --steps 60 --out bench/train-step.json
 * </pre>
 */
public final class TrainStepReport {

    private TrainStepReport() {}

    /**
     * Runs the comparison.
     *
     * @param args {@code --data DIR --threads T --steps N --batch B --peer FILE --python EXE --out FILE}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String data = "/usr/share/datasets/fashion-mnist";
        int threads = 2;
        long steps = 60;
        int batch = 128;
        String peer = "vqvae-bench/python/torch_vqvae.py";
        String python = "/usr/bin/python3";
        Path out = Path.of("bench/train-step.json");
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--data" -> data = v;
                case "--threads" -> threads = Integer.parseInt(v);
                case "--steps" -> steps = Long.parseLong(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--peer" -> peer = v;
                case "--python" -> python = v;
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("DJL_DISABLE_PROGRESS_BAR", "true");

        double gflops = MatmulRate.gflops(1024, 10, Device.cpu());
        DataSpec.Splits<ImageSet> splits = DataSpec.parse("mnist:" + data).load();
        VqVaeConfig config = VqVaeConfig.paper(1, 28, 28); // as the PyTorch counterpart: no restarts
        Engine.getEngine("PyTorch").setRandomSeed(0);
        Path runDir = Files.createTempDirectory("vqvae-bench-");
        TrainingOptions options = new TrainingOptions(steps, batch, 2e-4f, 0, steps, runDir, false);
        TrainingSummary ours = new VqVaeTrainer(new VqVae(config), options, new PrintStream(new ByteArrayOutputStream()))
                .train(splits, data, Device.cpu());
        double stepFlops = ModelFlops.trainingStep(config, batch);

        JsonObject report = new JsonObject();
        report.addProperty("benchmark", "vqvae train step, default model (paper), 28x28, batch " + batch);
        report.addProperty("threads", threads);
        report.addProperty("steps", steps);
        report.addProperty("machine", System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        report.addProperty("engine", "DJL " + Engine.getDjlVersion() + ", PyTorch " + Engine.getEngine("PyTorch").getVersion());
        report.addProperty("matmul_gflops", round(gflops));
        report.addProperty("step_gflop", round(stepFlops / 1e9));
        report.addProperty("ours_ms_per_step", round(ours.msPerStep()));
        report.addProperty("ours_matmul_fraction", round(stepFlops / (ours.msPerStep() / 1e3) / 1e9 / gflops));
        report.addProperty("ours_test_mse", ours.testMse());
        JsonObject theirs = runPeer(python, peer, data, steps, batch, threads);
        if (theirs != null) {
            double ms = theirs.get("ms_per_step").getAsDouble();
            report.addProperty("peer", theirs.get("peer").getAsString());
            report.addProperty("peer_ms_per_step", ms);
            report.addProperty("peer_matmul_fraction", round(stepFlops / (ms / 1e3) / 1e9 / gflops));
            report.addProperty("peer_test_mse", theirs.get("test_mse").getAsDouble());
            report.addProperty("ratio_ours_over_peer", round(ours.msPerStep() / ms));
        } else {
            report.addProperty("peer", "not run: " + python + " with torch, or " + peer + ", is missing");
        }
        AtomicFiles.writeString(out, JsonUtils.GSON_PRETTY.toJson(report) + "\n");
        System.out.println(JsonUtils.GSON_PRETTY.toJson(report));
    }

    private static JsonObject runPeer(String python, String script, String data, long steps, int batch, int threads)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(Path.of(script)) || !Files.isExecutable(Path.of(python))) {
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(python, script, "--data", data, "--steps", Long.toString(steps),
                "--batch", Integer.toString(batch), "--threads", Integer.toString(threads)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("{")) {
                    last = line;
                }
            }
        }
        if (p.waitFor() != 0 || last == null) {
            return null;
        }
        return JsonUtils.GSON.fromJson(last, JsonObject.class);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

}
