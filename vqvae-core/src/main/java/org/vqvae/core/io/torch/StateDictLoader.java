package org.vqvae.core.io.torch;

import ai.djl.ndarray.NDManager;

/**
 * Turns the tensors of a foreign checkpoint into one of this project's models, for {@code vqvae import
 * --format FORMAT}. Implementations are found with {@link java.util.ServiceLoader} (listed in {@code
 * META-INF/services/org.vqvae.core.io.torch.StateDictLoader}), so another module (the priors) adds
 * formats without the importer knowing them. A loader checks the architecture completely: every
 * tensor it needs present with its shape, no other tensor; anything else is a {@link
 * WeightFormatException} naming the first difference.
 */
public interface StateDictLoader {

    /**
     * The format name, e.g. {@code rosinality-vqvae2}.
     *
     * @return the name given to {@code --format}
     */
    String format();

    /**
     * Builds the model the tensors describe and fills its parameters.
     *
     * @param weights the checkpoint's tensors
     * @param options what the checkpoint does not record (image size)
     * @param manager owner of the parameters
     * @return the initialised model and the configuration JSON that rebuilds it
     * @throws WeightFormatException if the tensors are not this architecture's
     */
    ImportedModel load(StateDict weights, ImportOptions options, NDManager manager) throws WeightFormatException;
}
