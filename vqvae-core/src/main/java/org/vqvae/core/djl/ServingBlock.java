package org.vqvae.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.vqvae.core.model.CodeModel;

/**
 * The block a model directory loads as: a trained {@link CodeModel} (its only child, parameters
 * and all) behind one inference-only {@code forward} that the translators drive. The first input
 * is a {@code [N, 1]} int32 task, the rest its data:
 * <ul>
 *   <li>{@link #ENCODE}: images {@code [N, C, H, W]} in, one code map {@code [N, h, w]} per level out (bottom first);</li>
 *   <li>{@link #DECODE}: one code map per level in, images out;</li>
 *   <li>{@link #RECONSTRUCT}: images in, their reconstructions out.</li>
 * </ul>
 * Every output has the batch first, so DJL's stack batchifier splits it per image. Holds no state
 * that inference changes, so any number of predictors may run it at once.
 */
public final class ServingBlock extends AbstractBlock {

    /** Task: images to code maps. */
    public static final int ENCODE = 0;
    /** Task: code maps to images. */
    public static final int DECODE = 1;
    /** Task: images through the codes and back. */
    public static final int RECONSTRUCT = 2;

    private final CodeModel model;

    /**
     * Wraps a trained (initialised) model.
     *
     * @param model the model
     */
    public ServingBlock(CodeModel model) {
        this.model = addChildBlock("model", model);
    }

    /**
     * Returns the wrapped model.
     *
     * @return the VQ-VAE or VQ-VAE-2
     */
    public CodeModel model() {
        return model;
    }

    /**
     * Makes the task input of a single item (the batchifier stacks it to {@code [N, 1]}).
     *
     * @param manager owner of the array
     * @param task {@link #ENCODE}, {@link #DECODE} or {@link #RECONSTRUCT}
     * @return int32 {@code [1]}
     */
    static NDArray task(NDManager manager, int task) {
        return manager.create(new int[] {task});
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (training) {
            throw new UnsupportedOperationException("a served model only runs inference; train the CodeModel itself");
        }
        NDArray task = inputs.get(0);
        if (task.getDataType() != DataType.INT32 || task.size() == 0) {
            throw new IllegalArgumentException("the first input must be the int32 task, got " + task);
        }
        NDList data = inputs.subNDList(1);
        int t = task.toIntArray()[0];
        return switch (t) {
            case ENCODE -> model.encodeLevels(data.singletonOrThrow());
            case DECODE -> new NDList(model.decodeLevels(data));
            case RECONSTRUCT -> new NDList(model.reconstruct(data.singletonOrThrow()));
            default -> throw new IllegalArgumentException("unknown task " + t);
        };
    }

    /** Initialised when the wrapped model is (it was loaded so); this block has no parameters of its own. */
    @Override
    public boolean isInitialized() {
        return model.isInitialized();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        model.initialize(manager);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException("the output shapes depend on the task input's value");
    }
}
