package example;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;

import org.vqvae.core.djl.CodeMaps;

import java.nio.file.Path;

/** Encodes images with a trained run directory: {@code EncodeImages RUN_DIR IMAGE...}. */
public final class EncodeImages {

    private EncodeImages() {}

    public static void main(String[] args) throws Exception {
        Criteria<Image, CodeMaps> criteria = Criteria.builder().setTypes(Image.class, CodeMaps.class)
                .optModelPath(Path.of(args[0])).build();
        try (ZooModel<Image, CodeMaps> model = criteria.loadModel();
                Predictor<Image, CodeMaps> encoder = model.newPredictor()) {
            for (int i = 1; i < args.length; i++) {
                CodeMaps codes = encoder.predict(ImageFactory.getInstance().fromFile(Path.of(args[i])));
                for (int level = 0; level < codes.levels(); level++) {
                    int[] shape = codes.shape(level);
                    System.out.println(args[i] + ": level " + level + " " + shape[0] + "x" + shape[1]
                            + ", first code " + codes.level(level)[0][0]);
                }
            }
        }
    }
}
