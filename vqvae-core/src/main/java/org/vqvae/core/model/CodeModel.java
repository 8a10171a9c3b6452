package org.vqvae.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/**
 * What VQ-VAE and VQ-VAE-2 share: images in, one integer code map per level out, and back.
 *
 * <p>{@code forward} returns {@code [reconstruction, vq loss, codes_0 .. codes_{L-1}, perplexity_0 ..
 * perplexity_{L-1}]}, level 0 being the bottom (finest) level.
 */
public interface CodeModel extends Block {

    /** Position of the reconstruction in the forward output. */
    int RECONSTRUCTION = 0;
    /** Position of the VQ loss in the forward output. */
    int VQ_LOSS = 1;
    /** Position of the first level's code map in the forward output. */
    int CODES = 2;

    /** Number of code levels (1 for VQ-VAE). */
    int levels();

    /**
     * Returns the codebook size of a level.
     *
     * @param level 0 = bottom
     * @return K
     */
    int numCodes(int level);

    /**
     * Returns the size of a level's code map for the configured image size.
     *
     * @param level 0 = bottom
     * @return {@code {height, width}}
     */
    int[] codeSize(int level);

    /**
     * Returns the name of a level: {@code bottom}, {@code top}, {@code middle}, or {@code levelN}.
     *
     * @param level 0 = bottom
     * @return the name
     */
    default String levelName(int level) {
        int n = levels();
        if (n == 1) {
            return "codes";
        }
        if (level == 0) {
            return "bottom";
        }
        if (level == n - 1) {
            return "top";
        }
        return n == 3 ? "middle" : "level" + level;
    }

    /**
     * Returns the configuration JSON that rebuilds this model.
     *
     * @return JSON text
     */
    String configJson();

    /** Whether the codebooks follow EMA updates. */
    boolean ema();

    /**
     * Returns the input shape for a batch of the configured image size.
     *
     * @param batch images
     * @return {@code [batch, C, H, W]}
     */
    Shape inputShape(long batch);

    /**
     * Creates the parameters when not yet done.
     *
     * @param manager the manager owning them
     * @return this model
     */
    CodeModel initialize(NDManager manager);

    /**
     * Encodes images to one integer code map per level (inference mode).
     *
     * @param images {@code [N, C, H, W]} in [-0.5, 0.5]
     * @return code maps, bottom first
     */
    NDList encodeLevels(NDArray images);

    /**
     * Decodes code maps, one per level, to images.
     *
     * @param codes code maps, bottom first
     * @return {@code [N, C, H, W]}
     */
    NDArray decodeLevels(NDList codes);

    /**
     * Reconstructs images through the codes (inference mode).
     *
     * @param images {@code [N, C, H, W]}
     * @return {@code [N, C, H, W]}
     */
    NDArray reconstruct(NDArray images);
}
