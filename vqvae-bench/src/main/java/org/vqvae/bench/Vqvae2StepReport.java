package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.vqvae.core.io.AtomicFiles;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;
import org.vqvae.core.train.CheckpointableAdam;
import org.vqvae.core.train.TrainingStep;
import org.vqvae.core.train.VqVaeLoss;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The VQ-VAE-2 training step (2 levels, 256x256, batch 16 by default) beside the same
 * architecture in PyTorch eager ({@code vqvae-bench/python/torch_vqvae2.py}), in one run.
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.Vqvae2StepReport \
 *     --size 256 --batch 16 --steps 8 --threads 2 --out bench/vqvae2-step.json
 * </pre>
 */
public final class Vqvae2StepReport {

    private Vqvae2StepReport() {}

    /**
     * Runs the comparison.
     *
     * @param args {@code --size S --batch B --steps N --threads T --python EXE --script FILE --out FILE}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int size = 256;
        int batch = 16;
        int steps = 8;
        int threads = 2;
        String python = "/usr/bin/python3";
        String script = "vqvae-bench/python/torch_vqvae2.py";
        Path out = Path.of("bench/vqvae2-step.json");
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--size" -> size = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--python" -> python = v;
                case "--script" -> script = v;
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine.getEngine("PyTorch").setRandomSeed(0);
        VqVae2 vq = new VqVae2(VqVae2Config.defaults(3, size, size, 2));
        List<Double> times = new ArrayList<>();
        try (Model model = Model.newInstance("vqvae2", Device.cpu())) {
            model.setBlock(vq);
            vq.initialize(model.getNDManager());
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(new VqVaeLoss())
                    .optOptimizer(new CheckpointableAdam(3e-4f)))) {
                NDArray x = model.getNDManager().randomUniform(-0.5f, 0.5f, vq.inputShape(batch));
                for (int s = 0; s < steps; s++) {
                    long t0 = System.nanoTime();
                    try (NDManager sm = model.getNDManager().newSubManager()) {
                        NDArray in = x.duplicate();
                        in.attach(sm);
                        TrainingStep.run(trainer, new NDList(in));
                    }
                    times.add((System.nanoTime() - t0) / 1e6);
                }
            }
        }
        List<Double> warm = new ArrayList<>(times.subList(Math.min(2, times.size() - 1), times.size()));
        Collections.sort(warm);
        double ours = warm.get(warm.size() / 2);
        JsonObject report = new JsonObject();
        report.addProperty("benchmark", "VQ-VAE-2 training step, 2 levels (64x64 bottom, 32x32 top at 256), " + size
                + "x" + size + ", batch " + batch);
        report.addProperty("threads", threads);
        report.addProperty("engine", "DJL " + Engine.getDjlVersion() + ", PyTorch " + Engine.getEngine("PyTorch").getVersion());
        report.addProperty("matmul_gflops", Math.round(MatmulRate.gflops(1024, 10, Device.cpu()) * 10) / 10.0);
        report.addProperty("ours_ms_per_step", Math.round(ours * 10) / 10.0);
        if (Files.isExecutable(Path.of(python)) && Files.isRegularFile(Path.of(script))) {
            Process p = new ProcessBuilder(python, script, "--size", "" + size, "--batch", "" + batch, "--steps",
                    "" + steps, "--threads", "" + threads).redirectErrorStream(true).start();
            String last = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("{")) {
                        last = line;
                    }
                }
            }
            if (p.waitFor() == 0 && last != null) {
                JsonObject peer = JsonUtils.GSON.fromJson(last, JsonObject.class);
                double theirs = peer.get("ms_per_step").getAsDouble();
                report.addProperty("peer", peer.get("peer").getAsString());
                report.addProperty("peer_ms_per_step", theirs);
                report.addProperty("ratio_ours_over_peer", Math.round(ours / theirs * 1000) / 1000.0);
            } else {
                report.addProperty("peer", "failed: " + last);
            }
        } else {
            report.addProperty("peer", "not run: " + python + " or " + script + " missing");
        }
        AtomicFiles.writeString(out, JsonUtils.GSON_PRETTY.toJson(report) + "\n");
        System.out.println(JsonUtils.GSON_PRETTY.toJson(report));
    }
}
