package org.vqvae.core.djl;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

import org.vqvae.core.io.HostArrays;
import org.vqvae.core.model.CodeModel;

import java.util.Arrays;

/** Code maps to the image they decode to (RGB; a greyscale model's grey in all channels). */
final class DecodeTranslator implements Translator<CodeMaps, Image> {

    private final CodeModel model;

    DecodeTranslator(CodeModel model) {
        this.model = model;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, CodeMaps input) throws TranslateException {
        check(input);
        NDManager manager = ctx.getNDManager();
        NDList list = new NDList(ServingBlock.task(manager, ServingBlock.DECODE));
        for (int l = 0; l < input.levels(); l++) {
            int[] s = input.shape(l);
            list.add(HostArrays.longs(manager, input.flat(l), new Shape(s[0], s[1])));
        }
        return list;
    }

    @Override
    public Image processOutput(TranslatorContext ctx, NDList list) {
        return ModelImages.toImage(list.singletonOrThrow(), ctx.getNDManager());
    }

    /** One message for code maps this model cannot decode. */
    private void check(CodeMaps maps) throws TranslateException {
        if (maps.levels() != model.levels()) {
            throw new TranslateException("this model has " + model.levels() + " code level(s), the code maps "
                    + maps.levels());
        }
        for (int l = 0; l < maps.levels(); l++) {
            if (!Arrays.equals(maps.shape(l), model.codeSize(l))) {
                throw new TranslateException("level " + l + " (" + model.levelName(l) + ") must be "
                        + model.codeSize(l)[0] + "x" + model.codeSize(l)[1] + " codes, got " + maps.shape(l)[0] + "x"
                        + maps.shape(l)[1]);
            }
            int k = model.numCodes(l);
            for (long c : maps.flat(l)) {
                if (c < 0 || c >= k) {
                    throw new TranslateException("level " + l + " (" + model.levelName(l) + ") holds code " + c
                            + ", outside [0, " + k + ")");
                }
            }
        }
    }

}
