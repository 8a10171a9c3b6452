package org.vqvae.bench;

import ai.djl.engine.Engine;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.vqvae.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The trajectory check: for each model, {@code vqvae-bench/python/fidelity.py} builds the
 * PyTorch twin, saves its initial weights and batches and trains; we start from the same weights,
 * train on the same batches ({@link TrajectoryReplay}) and report where the two part and by how
 * much ({@link Agreement}).
 *
 * <pre>
 * java -cp 'vqvae-bench/target/vqvae-bench.jar:vqvae-bench/target/lib/*' org.vqvae.bench.FidelityCheck \
 *     --models vqvae,vqvae-ema,vqvae2 --steps 20 --batch 32 --out bench/fidelity-trajectory.json
 * </pre>
 */
public final class FidelityCheck {

    /** Relative difference of a loss term above which the two trajectories count as parted. */
    public static final double PARTING = 1e-3;

    private FidelityCheck() {}

    /**
     * Runs the check.
     *
     * @param args {@code --models IDS --steps N --batch B --seed S --threads T --python EXE --script FILE
     *     --work DIR --out FILE}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String models = "vqvae,vqvae-ema,vqvae2";
        int steps = 20;
        int batch = 32;
        int seed = 0;
        int threads = 2;
        String python = "/usr/bin/python3";
        Path script = Path.of("vqvae-bench/python/fidelity.py");
        Path work = null;
        Path out = Path.of("bench/fidelity-trajectory.json");
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--models" -> models = v;
                case "--steps" -> steps = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--seed" -> seed = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--python" -> python = v;
                case "--script" -> script = Path.of(v);
                case "--work" -> work = Path.of(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (work == null) {
            work = Files.createTempDirectory("vqvae-fidelity-");
        }
        JsonObject report = new JsonObject();
        report.addProperty("check", "training trajectory against PyTorch eager (vqvae-bench/python/fidelity.py),"
                + " same initial weights and batches, Adam lr 2e-4, batch " + batch);
        report.addProperty("engine", "DJL " + Engine.getDjlVersion() + ", libtorch " + Engine.getEngine("PyTorch").getVersion());
        for (String id : models.split(",")) {
            FidelityModel model = FidelityModel.of(id);
            Path dir = work.resolve(id);
            runPython(python, script, model, dir, steps, batch, seed, threads);
            Trajectory theirs = TrajectoryReplay.read(dir);
            Trajectory ours = TrajectoryReplay.replay(model.build(), dir, 2e-4f);
            JsonObject r = Agreement.report(ours, theirs, PARTING);
            report.add(id, r);
            System.out.printf("%s: step-1 terms %.2g, grad norms %.2g, parted at step %d (0: never)%n", id,
                    r.get("step1_terms_rel").getAsDouble(), r.get("step1_grad_norm_rel_max").getAsDouble(),
                    r.get("first_parting_step").getAsInt());
        }
        AtomicFiles.writeString(out, JsonUtils.GSON_PRETTY.toJson(report) + "\n");
        System.out.println("wrote " + out);
    }

    /**
     * Runs {@code fidelity.py} for one model.
     *
     * @param python the interpreter (with torch)
     * @param script fidelity.py
     * @param model the model
     * @param dir its output directory
     * @param steps training steps
     * @param batch batch size
     * @param seed PyTorch's seed (initial weights, batches)
     * @param threads PyTorch's threads
     * @throws IOException if it fails, with its output
     */
    public static void runPython(String python, Path script, FidelityModel model, Path dir, int steps, int batch,
            int seed, int threads) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--model", model.id(), "--out",
                dir.toString(), "--steps", Integer.toString(steps), "--batch", Integer.toString(batch), "--seed",
                Integer.toString(seed), "--threads", Integer.toString(threads)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
