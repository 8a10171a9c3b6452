package org.vqvae.core.io.torch;

import ai.djl.nn.Block;

/**
 * A model made from foreign weights, ready to be saved as a checkpoint.
 *
 * @param block the initialised block
 * @param configJson the configuration JSON that rebuilds it (its {@code config.json})
 */
public record ImportedModel(Block block, String configJson) {}
