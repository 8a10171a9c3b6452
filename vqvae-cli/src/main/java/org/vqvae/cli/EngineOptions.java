package org.vqvae.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;

import picocli.CommandLine.Option;

/** Options shared by every command that computes: threads, device. */
final class EngineOptions {

    @Option(names = "--threads", paramLabel = "T", description = "Intra-op CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--device", paramLabel = "cpu|gpu",
            description = "Where to compute (default: cpu); gpu needs a CUDA build of libtorch.")
    String device;

    /** Whether {@code --device} was given (the training commands refuse it beside {@code --devices}). */
    boolean deviceGiven() {
        return device != null;
    }

    /**
     * Applies the thread setting (before the engine starts) and returns the device.
     *
     * @return the device to compute on
     */
    Device start() {
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            }
            System.setProperty("ai.djl.pytorch.num_threads", threads.toString());
        }
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Device d = switch (device == null ? "cpu" : device.toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> Device.cpu();
            case "gpu", "cuda" -> Device.gpu();
            default -> throw new IllegalArgumentException("--device must be cpu or gpu, got " + device);
        };
        Engine engine = Engine.getEngine("PyTorch");
        if (d.isGpu() && engine.getGpuCount() == 0) {
            throw new IllegalArgumentException("--device gpu: the PyTorch engine sees no CUDA device");
        }
        return d;
    }
}
