package org.vqvae.core.djl;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

/** Image to its code maps: converted as the CLI converts images, encoded, one map per level. */
final class EncodeTranslator implements Translator<Image, CodeMaps> {

    private final ModelImages images;

    EncodeTranslator(ModelImages images) {
        this.images = images;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        return new NDList(ServingBlock.task(ctx.getNDManager(), ServingBlock.ENCODE),
                images.toInput(input, ctx.getNDManager()));
    }

    @Override
    public CodeMaps processOutput(TranslatorContext ctx, NDList list) {
        int[][][] levels = new int[list.size()][][];
        for (int l = 0; l < list.size(); l++) {
            NDArray map = list.get(l);
            int h = (int) map.getShape().get(0);
            int w = (int) map.getShape().get(1);
            long[] codes = map.toLongArray();
            levels[l] = new int[h][w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    levels[l][y][x] = Math.toIntExact(codes[y * w + x]);
                }
            }
        }
        return CodeMaps.of(levels);
    }
}
