package org.vqvae.core.djl;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;

import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * DJL's {@link BlockFactory} for a model directory: rebuilds the VQ-VAE or VQ-VAE-2 from the
 * newest checkpoint's {@code config.json}, loads its {@code model.params} into the model's
 * manager (with the shape checks of {@link Checkpoint#loadAny}) and wraps it in a {@link
 * ServingBlock}. The parameters are frozen, as DJL freezes a loaded TorchScript model's: a served
 * model records no gradients on any thread.
 */
public final class VqVaeBlockFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) throws IOException {
        if (!Checkpoint.exists(modelPath)) {
            throw new IOException(modelPath + " is no VQ-VAE model directory: it holds no checkpoint (config.json"
                    + " in it, in its newest checkpoint-<step>/ or in checkpoint/)");
        }
        CodeModel loaded = Checkpoint.loadAny(modelPath, model.getNDManager());
        loaded.freezeParameters(true);
        return new ServingBlock(loaded);
    }
}
