package org.vqvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vqvae.cli.CliTest.assertOneLineError;
import static org.vqvae.cli.CliTest.run;

import ai.djl.Device;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --devices}: names, conflicts and unavailable GPUs in one line; a split run on the CPU trains. */
class DevicesCliTest {

    @TempDir Path work;

    @Test
    void deviceNames() {
        assertEquals(Device.cpu(), DeviceListOptions.parse("cpu"));
        assertEquals(Device.gpu(0), DeviceListOptions.parse("gpu"));
        assertEquals(Device.gpu(1), DeviceListOptions.parse("GPU1"));
        assertEquals(Device.gpu(2), DeviceListOptions.parse("cuda:2"));
        assertEquals(Device.gpu(3), DeviceListOptions.parse("gpu:3"));
        assertNull(DeviceListOptions.parse("tpu0"));
        assertNull(DeviceListOptions.parse("gpu:"));
        assertNull(DeviceListOptions.parse(""));
    }

    @Test
    void badListsAreRefusedInOneLine() {
        assertOneLineError(run("train", "--devices", "tpu0"), 2, "--devices: unknown device 'tpu0'");
        assertOneLineError(run("train", "--devices", "gpu0,,gpu1"), 2, "unknown device ''");
        assertOneLineError(run("train", "--devices", "cpu,gpu0"), 2, "mixes cpu and gpu");
        assertOneLineError(run("train", "--device", "cpu", "--devices", "cpu,cpu"), 2,
                "--device and --devices both given");
        assertOneLineError(run("train-prior", "--codes", work.toString(), "--devices", "npu"), 2, "unknown device 'npu'");
        // no machine this runs on has 100 GPUs
        assertOneLineError(run("train", "--devices", "gpu99"), 1, "--devices gpu99: the PyTorch engine sees");
    }

    @Test
    void splitOnTheCpuTrains() throws IOException {
        Path data = work.resolve("data");
        CliTest.writeTinyDataset(data);
        String[] tiny = {"--data", "mnist:" + data, "--steps", "2", "--hidden", "8", "--res-channels", "4",
            "--res-blocks", "1", "--codes", "16", "--code-dim", "4", "--ema", "--threads", "1"};
        assertOneLineError(run(concat(tiny, "--batch", "2", "--devices", "cpu,cpu,cpu", "--out",
                work.resolve("small").toString())), 1, "a batch of 2 cannot be split over 3 devices");
        Path out = work.resolve("split");
        CliTest.Run r = run(concat(tiny, "--batch", "8", "--devices", "cpu,cpu,cpu", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        // --batch is the global batch: the summary reports 8, not 8 per part
        String summary = Files.readString(out.resolve("summary.json"));
        assertTrue(summary.matches("(?s).*\"batch\":\\s*8\\b.*"), summary);
        // and the split run ends where the whole-batch run does
        Path whole = work.resolve("whole");
        assertEquals(0, run(concat(tiny, "--batch", "8", "--out", whole.toString())).code());
        double split = testMse(out);
        double unsplit = testMse(whole);
        System.out.printf("held-out MSE after 2 steps: whole batch %.8f, 3 parts %.8f%n", unsplit, split);
        assertEquals(unsplit, split, 1e-4 * unsplit);
    }

    private static double testMse(Path run) throws IOException {
        return JsonUtils.GSON.fromJson(Files.readString(run.resolve("summary.json")), JsonObject.class)
                .get("test_mse").getAsDouble();
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = new String[head.length + tail.length + 1];
        all[0] = "train";
        System.arraycopy(head, 0, all, 1, head.length);
        System.arraycopy(tail, 0, all, 1 + head.length, tail.length);
        return all;
    }
}
