package org.vqvae.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Says which libtorch DJL loaded and whether it computes on a CUDA device: the first thing to run
 * on a GPU host ({@code vqvae-bench/gpu/run.sh} does). It reads results back from the CPU and from
 * the GPU in a few probes, each reported on its own line, because a libtorch of another version than
 * DJL's JNI library was built for can load, find the GPU, compute, and still fail when a tensor is
 * read. Exits 1 with one line when it sees no GPU or a probe fails.
 */
public final class GpuCheck {

    private GpuCheck() {}

    /**
     * Runs the check.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Engine engine = Engine.getEngine("PyTorch");
        System.out.println("DJL " + Engine.getDjlVersion() + ", libtorch (as DJL's JNI library expects it) "
                + engine.getVersion() + ", loaded from " + System.getenv().getOrDefault("PYTORCH_LIBRARY_PATH",
                        "DJL's cache") + ", GPUs: " + engine.getGpuCount());
        Map<String, Function<NDManager, Float>> probes = new LinkedHashMap<>();
        probes.put("cpu: an array from Java, read back", m -> m.create(new float[] {1, 2, 3}).sum().getFloat());
        probes.put("cpu: 256x256 matrix product, read back",
                m -> m.ones(new Shape(256, 256)).matMul(m.ones(new Shape(256, 256))).sum().getFloat());
        boolean gpu = engine.getGpuCount() > 0;
        if (gpu) {
            probes.put("gpu: an array from Java, copied there and back",
                    m -> m.create(new float[] {1, 2, 3}).toDevice(Device.gpu(), false).sum().getFloat());
            probes.put("gpu: 2048x2048 matrix product, read back", m -> {
                NDArray a = m.ones(new Shape(2048, 2048)).toDevice(Device.gpu(), false);
                return a.matMul(a).sum().getFloat();
            });
        }
        int failed = 0;
        for (var probe : probes.entrySet()) {
            try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
                System.out.println(probe.getKey() + ": " + probe.getValue().apply(m));
            } catch (RuntimeException | Error e) {
                failed++;
                System.out.println(probe.getKey() + ": FAILED (" + e.getClass().getSimpleName() + ": "
                        + e.getMessage() + ")");
            }
        }
        if (failed > 0) {
            System.err.println("GpuCheck: " + failed + " of " + probes.size() + " probes failed: this libtorch is"
                    + " probably not the version DJL's JNI library was built for (" + engine.getVersion() + ")");
            System.exit(1);
        }
        if (!gpu) {
            System.err.println("GpuCheck: the PyTorch engine sees no CUDA device");
            System.exit(1);
        }
    }
}
