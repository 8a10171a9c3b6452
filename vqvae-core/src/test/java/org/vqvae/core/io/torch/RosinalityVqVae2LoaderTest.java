package org.vqvae.core.io.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import org.junit.jupiter.api.Test;
import org.vqvae.core.model.RosinalityVqVae2;
import org.vqvae.core.model.RosinalityVqVae2Config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rosinality VQ-VAE-2 loader without Python: a model's state_dict names are the source's, its
 * tensors load back into an identical model, and any other architecture is refused by name.
 * (RosinalityImportTest in vqvae-cli compares with PyTorch itself.)
 */
class RosinalityVqVae2LoaderTest {

    static final RosinalityVqVae2Config CONFIG = RosinalityVqVae2Config.of(3, 16, 8, 1, 4, 4, 16);

    static RosinalityVqVae2 randomModel(NDManager m) {
        Engine.getInstance().setRandomSeed(5);
        RosinalityVqVae2 model = new RosinalityVqVae2(CONFIG).initialize(m);
        for (Parameter p : model.torchParameters().values()) {
            p.getArray().set(m.randomNormal(0, 0.3f, p.getArray().getShape(), p.getArray().getDataType())
                    .toFloatArray());
        }
        return model;
    }

    @Test
    void namesFollowTheSourceModules() {
        try (NDManager m = NDManager.newBaseManager()) {
            RosinalityVqVae2 model = randomModel(m);
            List<String> names = List.copyOf(model.torchParameters().keySet());
            assertEquals(List.of("enc_b.blocks.0.weight", "enc_b.blocks.0.bias", "enc_b.blocks.2.weight",
                    "enc_b.blocks.2.bias", "enc_b.blocks.4.weight", "enc_b.blocks.4.bias",
                    "enc_b.blocks.5.conv.1.weight", "enc_b.blocks.5.conv.1.bias", "enc_b.blocks.5.conv.3.weight",
                    "enc_b.blocks.5.conv.3.bias", "enc_t.blocks.0.weight", "enc_t.blocks.0.bias",
                    "enc_t.blocks.2.weight", "enc_t.blocks.2.bias", "enc_t.blocks.3.conv.1.weight",
                    "enc_t.blocks.3.conv.1.bias", "enc_t.blocks.3.conv.3.weight", "enc_t.blocks.3.conv.3.bias",
                    "quantize_conv_t.weight", "quantize_conv_t.bias", "quantize_t.embed", "quantize_t.cluster_size",
                    "quantize_t.embed_avg", "dec_t.blocks.0.weight", "dec_t.blocks.0.bias",
                    "dec_t.blocks.1.conv.1.weight", "dec_t.blocks.1.conv.1.bias", "dec_t.blocks.1.conv.3.weight",
                    "dec_t.blocks.1.conv.3.bias", "dec_t.blocks.3.weight", "dec_t.blocks.3.bias",
                    "quantize_conv_b.weight", "quantize_conv_b.bias", "quantize_b.embed", "quantize_b.cluster_size",
                    "quantize_b.embed_avg", "upsample_t.weight", "upsample_t.bias", "dec.blocks.0.weight",
                    "dec.blocks.0.bias", "dec.blocks.1.conv.1.weight", "dec.blocks.1.conv.1.bias",
                    "dec.blocks.1.conv.3.weight", "dec.blocks.1.conv.3.bias", "dec.blocks.3.weight",
                    "dec.blocks.3.bias", "dec.blocks.5.weight", "dec.blocks.5.bias"), names);
            // layouts: Conv2d [out, in, k, k], ConvTranspose2d [in, out, 4, 4], codebook [D, K]
            Map<String, Parameter> p = model.torchParameters();
            assertEquals(new Shape(4, 3, 4, 4), p.get("enc_b.blocks.0.weight").getArray().getShape());
            assertEquals(new Shape(4, 16), p.get("quantize_t.embed").getArray().getShape());
            assertEquals(new Shape(8, 4, 4, 4), p.get("dec.blocks.3.weight").getArray().getShape());
            assertEquals(new Shape(4, 3, 4, 4), p.get("dec.blocks.5.weight").getArray().getShape());
            assertEquals(new Shape(4, 8, 1, 1), p.get("quantize_conv_t.weight").getArray().getShape());
            assertEquals(new Shape(4, 12, 1, 1), p.get("quantize_conv_b.weight").getArray().getShape());
        }
    }

    @Test
    void tensorsLoadIntoAnIdenticalModel() throws WeightFormatException {
        try (NDManager m = NDManager.newBaseManager()) {
            RosinalityVqVae2 a = randomModel(m);
            StateDict sd = new StateDict(TorchWeights.tensors(a), Map.of());
            ImportedModel imported = new RosinalityVqVae2Loader().load(sd, new ImportOptions(16), m);
            RosinalityVqVae2 b = (RosinalityVqVae2) imported.block();
            assertEquals(CONFIG, b.getConfig());
            assertEquals(CONFIG, RosinalityVqVae2Config.fromJson(imported.configJson()));
            NDArray x = m.randomUniform(-0.5f, 0.5f, new Shape(2, 3, 16, 16));
            NDList ca = a.encodeLevels(x);
            NDList cb = b.encodeLevels(x);
            assertArrayEquals(ca.get(0).toLongArray(), cb.get(0).toLongArray());
            assertArrayEquals(ca.get(1).toLongArray(), cb.get(1).toLongArray());
            assertEquals(new Shape(2, 4, 4), ca.get(0).getShape());
            assertEquals(new Shape(2, 2, 2), ca.get(1).getShape());
            assertArrayEquals(a.decodeLevels(ca).toFloatArray(), b.decodeLevels(cb).toFloatArray());
            assertEquals(new Shape(2, 3, 16, 16), a.reconstruct(x).getShape());
            // the same tensors saved from a DataParallel wrapper
            Map<String, TensorData> wrapped = new LinkedHashMap<>();
            sd.tensors().forEach((k, v) -> wrapped.put("module." + k, v));
            RosinalityVqVae2 c = (RosinalityVqVae2) new RosinalityVqVae2Loader()
                    .load(new StateDict(wrapped, Map.of()), new ImportOptions(16), m).block();
            assertArrayEquals(ca.get(0).toLongArray(), c.encodeLevels(x).get(0).toLongArray());
        }
    }

    @Test
    void inferenceLeavesNothingInTheParametersManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            RosinalityVqVae2 model = randomModel(m);
            int before = ((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size();
            for (int i = 0; i < 2; i++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.randomUniform(-0.5f, 0.5f, new Shape(1, 3, 16, 16));
                    model.decodeLevels(model.encodeLevels(x));
                    model.reconstruct(x);
                }
            }
            assertEquals(before, ((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size());
        }
    }

    @Test
    void otherArchitecturesAreRefusedByName() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, TensorData> good = TorchWeights.tensors(randomModel(m));
            Map<String, TensorData> missing = new LinkedHashMap<>(good);
            missing.remove("dec.blocks.0.bias");
            assertRefused(missing, m, "no tensor dec.blocks.0.bias");
            Map<String, TensorData> extra = new LinkedHashMap<>(good);
            extra.put("dec.blocks.9.weight", good.get("dec.blocks.0.bias"));
            assertRefused(extra, m, "unexpected tensor dec.blocks.9.weight");
            Map<String, TensorData> wrong = new LinkedHashMap<>(good);
            wrong.put("upsample_t.weight", good.get("dec.blocks.5.weight"));
            assertRefused(wrong, m, "upsample_t.weight is [4, 3, 4, 4], the architecture needs [4, 4, 4, 4]");
            assertRefused(Map.of("conv.weight", good.get("dec.blocks.5.weight")), m, "no tensor enc_b.blocks.0.weight");
        }
    }

    private static void assertRefused(Map<String, TensorData> tensors, NDManager m, String words) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> new RosinalityVqVae2Loader()
                .load(new StateDict(tensors, Map.of()), new ImportOptions(16), m));
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }
}
