package org.vqvae.core.djl;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.Set;

/**
 * The translators of a model directory, chosen by the Criteria's types:
 * {@code Image -> CodeMaps} (encode), {@code CodeMaps -> Image} (decode) and {@code Image ->
 * Image} (reconstruct). Images of any size and channel count are converted to the model's input
 * as the {@code vqvae} command converts image folders ({@link ModelImages}); images come back as
 * RGB at the model's size. All three use DJL's stack batchifier, so {@code batchPredict} encodes
 * a batch in one forward pass.
 */
public final class VqVaeTranslatorFactory implements TranslatorFactory {

    private static final Set<Pair<Type, Type>> TYPES = Set.of(
            new Pair<>(Image.class, CodeMaps.class),
            new Pair<>(CodeMaps.class, Image.class),
            new Pair<>(Image.class, Image.class));

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return TYPES;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
            throws TranslateException {
        if (!(model.getBlock() instanceof ServingBlock block)) {
            throw new TranslateException("the model was not loaded by " + VqVaeBlockFactory.class.getName()
                    + " (serving.properties names the block factory), its block is " + model.getBlock());
        }
        ModelImages images = new ModelImages(block.model().inputShape(1));
        if (input == Image.class && output == CodeMaps.class) {
            return (Translator<I, O>) new EncodeTranslator(images);
        }
        if (input == CodeMaps.class && output == Image.class) {
            return (Translator<I, O>) new DecodeTranslator(block.model());
        }
        if (input == Image.class && output == Image.class) {
            return (Translator<I, O>) new ReconstructTranslator(images);
        }
        throw new TranslateException("a VQ-VAE model directory translates Image -> CodeMaps, CodeMaps -> Image and"
                + " Image -> Image, not " + input.getSimpleName() + " -> " + output.getSimpleName());
    }
}
