package org.vqvae.prior.rosinality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vqvae.core.io.NamedArrays;
import org.vqvae.core.io.torch.ImportOptions;
import org.vqvae.core.io.torch.ImportedModel;
import org.vqvae.core.io.torch.StateDict;
import org.vqvae.core.io.torch.StateDictLoader;
import org.vqvae.core.io.torch.TorchCheckpoint;
import org.vqvae.core.io.torch.WeightFormatException;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.Priors;
import org.vqvae.core.io.Npy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Imports the state_dicts of a small top prior (8x8 codes, attention, an output block), a small
 * bottom prior (16x16 codes conditioned on 8x8 ones, no attention) and a conditioned prior with
 * attention computed as the early pixelsnail.py with its in-place ELU, laid out as rosinality's
 * pixelsnail.py lays them out, from seeded random weights written by python/rosinality_pixelsnail.py,
 * and checks the configuration read off the keys and the logits against PyTorch's in eval mode,
 * for whole maps and for their first rows alone (as the row-by-row sampler passes them).
 */
class RosinalityPixelSnailTorchTest {

    static final String PYTHON = "/usr/bin/python3";

    @TempDir static Path work;

    @BeforeAll
    static void writeReference() throws Exception {
        boolean torch;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            torch = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            torch = false;
        }
        if (!torch) {
            String why = PYTHON + " cannot import torch (apt-get install python3-torch)";
            if (System.getenv("CI") != null) {
                fail("CI installs PyTorch for the rosinality PixelSNAIL check, yet " + why);
            }
            Assumptions.abort("rosinality PixelSNAIL check against PyTorch skipped: " + why);
        }
        Process p = new ProcessBuilder(PYTHON, "python/rosinality_pixelsnail.py", work.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("python/rosinality_pixelsnail.py failed:\n" + out);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"top", "bottom", "legacy"})
    void importedPriorGivesPyTorchsLogits(String level) throws Exception {
        Path dir = work.resolve(level);
        JsonObject args = JsonUtils.GSON.fromJson(Files.readString(dir.resolve("args.json")), JsonObject.class);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> stateDict = NamedArrays.read(dir.resolve("state_dict.npz"), m);
            RosinalityPixelSnail prior = RosinalityPixelSnail.fromStateDict(stateDict, m);
            RosinalityPixelSnail current = prior;
            if (args.has("legacy_inplace_elu") && args.get("legacy_inplace_elu").getAsBoolean()) {
                // not in the state_dict: the caller says so
                prior = RosinalityPixelSnail.fromStateDict(prior.getConfig().withLegacyInplaceElu(true), stateDict, m);
            }
            RosinalityPixelSnailConfig c = prior.getConfig();
            assertEquals(args.getAsJsonArray("shape").get(0).getAsInt(), c.height());
            assertEquals(args.getAsJsonArray("shape").get(1).getAsInt(), c.width());
            assertEquals(args.get("n_class").getAsInt(), c.numCodes());
            assertEquals(args.get("channel").getAsInt(), c.channel());
            assertEquals(args.get("kernel_size").getAsInt(), c.kernelSize());
            assertEquals(args.get("n_block").getAsInt(), c.nBlock());
            assertEquals(args.get("n_res_block").getAsInt(), c.nResBlock());
            assertEquals(args.get("res_channel").getAsInt(), c.resChannel());
            assertEquals(args.get("attention").getAsBoolean(), c.attention());
            assertEquals(intOr(args, "n_cond_res_block"), c.nCondResBlock());
            assertEquals(intOr(args, "cond_res_channel"), c.condResChannel());
            assertEquals(intOr(args, "n_out_res_block"), c.nOutResBlock());
            if (c.conditioned()) {
                assertEquals(args.get("cond_res_kernel").getAsInt(), c.condResKernel());
            }

            NDArray codes = Npy.read(m, dir.resolve("codes.npy")).singletonOrThrow();
            NDArray condition = c.conditioned() ? Npy.read(m, dir.resolve("condition.npy")).singletonOrThrow() : null;
            NDArray labels = m.zeros(new ai.djl.ndarray.types.Shape(codes.getShape().get(0)),
                    ai.djl.ndarray.types.DataType.INT64);
            NDArray theirs = Npy.read(m, dir.resolve("logits.npy")).singletonOrThrow();
            float whole = maxAbsDiff(prior.logits(codes, labels, condition), theirs);
            int rows = c.height() / 2;
            NDArray theirRows = Npy.read(m, dir.resolve("rows.npy")).singletonOrThrow();
            float part = maxAbsDiff(prior.logits(codes.get(new NDIndex(":, :{}, :", rows)), labels, condition),
                    theirRows);
            System.out.printf(Locale.ROOT, "rosinality PixelSNAIL %s: logits within %.2e of PyTorch's (largest |logit| "
                    + "%.2f), first %d rows within %.2e%n", level, whole, theirs.abs().max().getFloat(), rows, part);
            assertTrue(whole < 1e-4, level + ": logits differ from PyTorch's by " + whole);
            if (current != prior) {
                float other = maxAbsDiff(current.logits(codes, labels, condition), theirs);
                System.out.printf(Locale.ROOT, "  computed as the current file instead: %.2e off%n", other);
                assertTrue(other > 1e-2, "the in-place ELU changes nothing here: " + other);
            }
            assertTrue(part < 1e-4, level + ": first rows' logits differ from PyTorch's by " + part);
        }
    }

    /**
     * The checkpoint file that rosinality's train_pixelsnail.py writes ({@code {'model': state_dict,
     * 'args': Namespace}}, read by the .pt reader) imports through the loader of {@code vqvae import
     * --format rosinality-pixelsnail-top|bottom}, saves as an ordinary prior directory and loads back
     * with PyTorch's logits; the other level's format refuses it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"top", "bottom"})
    void torchSaveCheckpointImportsAsAPriorDirectory(String level) throws Exception {
        Path dir = work.resolve(level);
        StateDict weights = TorchCheckpoint.read(dir.resolve("prior.pt"));
        StateDictLoader right = level.equals("top") ? new RosinalityPixelSnailLoader.Top()
                : new RosinalityPixelSnailLoader.Bottom();
        StateDictLoader wrong = level.equals("top") ? new RosinalityPixelSnailLoader.Bottom()
                : new RosinalityPixelSnailLoader.Top();
        try (NDManager m = NDManager.newBaseManager()) {
            WeightFormatException e = assertThrows(WeightFormatException.class,
                    () -> wrong.load(weights, new ImportOptions(256), m));
            assertTrue(e.getMessage().contains("--format " + right.format()), e.getMessage());
            ImportedModel imported = right.load(weights, new ImportOptions(256), m);
            Path saved = work.resolve(level + "-imported");
            Checkpoint.save(saved, imported.block(), imported.configJson(), null, 0);
            CodePrior prior = Priors.load(saved, m);
            NDArray codes = Npy.read(m, dir.resolve("codes.npy")).singletonOrThrow();
            NDArray condition = level.equals("bottom") ? Npy.read(m, dir.resolve("condition.npy")).singletonOrThrow()
                    : null;
            NDArray labels = m.zeros(new ai.djl.ndarray.types.Shape(codes.getShape().get(0)),
                    ai.djl.ndarray.types.DataType.INT64);
            float diff = maxAbsDiff(prior.logits(codes, labels, condition),
                    Npy.read(m, dir.resolve("logits.npy")).singletonOrThrow());
            assertTrue(diff < 1e-4, level + ": logits of the imported .pt differ from PyTorch's by " + diff);
        }
    }

    private static int intOr(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsInt() : 0;
    }

    private static float maxAbsDiff(NDArray a, NDArray b) {
        assertEquals(b.getShape(), a.getShape());
        return a.sub(b).abs().max().getFloat();
    }
}
