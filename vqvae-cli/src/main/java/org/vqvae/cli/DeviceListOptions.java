package org.vqvae.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --devices}: the training commands' data-parallel option, in place of {@code --device}. */
final class DeviceListOptions {

    private static final Pattern GPU = Pattern.compile("(?:gpu|cuda):?(\\d*)");

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--devices", paramLabel = "LIST", split = ",",
            description = "Train data-parallel over these devices, e.g. gpu0,gpu1 (also gpu, cuda:1, cpu). --batch is"
                    + " the global batch, split into one part per listed device, and each step makes the update of the"
                    + " whole batch. A device listed twice takes two parts (cpu,cpu splits on the CPU: the same"
                    + " update, no faster). Replaces --device.")
    List<String> devices;

    /**
     * Applies the engine options and returns the device of each part of a batch: the one {@code
     * --device} without {@code --devices}.
     *
     * @param engine the command's engine options
     * @return one device per part, the first holding the parameters
     */
    List<Device> start(EngineOptions engine) {
        if (devices == null) {
            return List.of(engine.start());
        }
        if (engine.deviceGiven()) {
            throw usage("--device and --devices both given: --devices lists every device, use it alone");
        }
        engine.start();
        List<Device> parts = new ArrayList<>();
        for (String name : devices) {
            Device d = parse(name);
            if (d == null) {
                throw usage("--devices: unknown device '" + name + "' (cpu, gpu, gpu0, gpu1, ... or cuda:N)");
            }
            parts.add(d);
        }
        if (parts.stream().anyMatch(Device::isGpu) && !parts.stream().allMatch(Device::isGpu)) {
            throw usage("--devices " + String.join(",", devices) + " mixes cpu and gpu: list GPUs only, or cpu only");
        }
        int gpus = parts.get(0).isGpu() ? Engine.getEngine("PyTorch").getGpuCount() : 0;
        for (Device d : parts) {
            if (d.isGpu() && d.getDeviceId() >= gpus) {
                throw new IllegalArgumentException("--devices gpu" + d.getDeviceId() + ": the PyTorch engine sees "
                        + gpus + " CUDA device" + (gpus == 1 ? "" : "s")
                        + (gpus == 0 ? " (a CUDA build of libtorch and a GPU are needed)" : ""));
            }
        }
        return parts;
    }

    /**
     * Parses one device name: {@code cpu}, {@code gpu} (the first GPU), {@code gpuN}, {@code
     * gpu:N}, {@code cudaN} or {@code cuda:N}, in any case.
     *
     * @param name the name
     * @return the device, or null for a name that is none of these
     */
    static Device parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        Matcher m = GPU.matcher(n);
        if (!m.matches()) {
            return null;
        }
        if (m.group(1).isEmpty()) {
            return n.endsWith(":") ? null : Device.gpu(0);
        }
        try {
            return Device.gpu(Integer.parseInt(m.group(1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
