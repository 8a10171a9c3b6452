package org.vqvae.core.djl;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDList;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

/** Image to its reconstruction through the codes, at the model's size (RGB out). */
final class ReconstructTranslator implements Translator<Image, Image> {

    private final ModelImages images;

    ReconstructTranslator(ModelImages images) {
        this.images = images;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        return new NDList(ServingBlock.task(ctx.getNDManager(), ServingBlock.RECONSTRUCT),
                images.toInput(input, ctx.getNDManager()));
    }

    @Override
    public Image processOutput(TranslatorContext ctx, NDList list) {
        return ModelImages.toImage(list.singletonOrThrow(), ctx.getNDManager());
    }
}
