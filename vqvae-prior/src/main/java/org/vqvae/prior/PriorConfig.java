package org.vqvae.prior;

/**
 * What every prior configuration record tells about the maps it models; {@link PixelCnnConfig} and
 * {@link PixelSnailConfig} implement it with their components.
 */
public interface PriorConfig {

    /** K, the number of code values. */
    int numCodes();

    /** Number of classes. */
    int numClasses();

    /** Map height. */
    int height();

    /** Map width. */
    int width();

    /**
     * Whether the logits depend on the class label; a prior that is not (an imported rosinality
     * PixelSNAIL) reports one class and ignores the labels it is given.
     */
    default boolean classConditional() {
        return true;
    }

    /** Rows above a position its logits can depend on. */
    int receptiveRows();

    /** K of the conditioning code map, 0 when there is none. */
    default int conditionCodes() {
        return 0;
    }

    /** Height of the conditioning map, 0 when there is none. */
    default int conditionHeight() {
        return 0;
    }

    /** Width of the conditioning map, 0 when there is none. */
    default int conditionWidth() {
        return 0;
    }

    /**
     * Returns the configuration as JSON tagged with its architecture.
     *
     * @return JSON text
     */
    String toJson();
}
