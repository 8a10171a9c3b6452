package org.vqvae.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVaeConfig;

import java.io.IOException;
import java.util.function.Function;

/** Helpers shared by the commands that use a trained model. */
final class ModelRuns {

    static final int CHUNK = 500;

    private ModelRuns() {}

    /**
     * Loads the requested split and checks it fits the model.
     *
     * @param dataSpec the data specification
     * @param split train or test
     * @param config the model configuration
     * @return the images
     * @throws IOException if the data is unreadable
     */
    static ImageSet images(String dataSpec, String split, VqVaeConfig config) throws IOException {
        return images(dataSpec, split, new VqVae(config), 256, false);
    }

    /**
     * Loads the requested split and checks it fits the model.
     *
     * @param dataSpec the data specification
     * @param split train or test
     * @param model the model
     * @param imageSize side for image folders
     * @param strict stop on unreadable images
     * @return the images
     * @throws IOException if the data is unreadable
     */
    static ImageSet images(String dataSpec, String split, CodeModel model, int imageSize, boolean strict)
            throws IOException {
        DataSpec spec = DataSpec.parse(dataSpec).withImages(imageSize, strict);
        DataSpec.Splits splits = spec.load();
        ImageSet images = switch (split) {
            case "train" -> splits.train();
            case "test" -> splits.test();
            default -> throw new IllegalArgumentException("--split must be train or test, got " + split);
        };
        checkFits(spec, images, model);
        return images;
    }

    /**
     * Loads both splits, image folders resized to the model's input, and checks they fit it.
     *
     * @param dataSpec the data specification
     * @param model the model
     * @param strict stop on unreadable images
     * @return both splits
     * @throws IOException if the data is unreadable
     */
    static DataSpec.Splits splits(String dataSpec, CodeModel model, boolean strict) throws IOException {
        DataSpec spec = DataSpec.parse(dataSpec).withImages((int) model.inputShape(1).get(2), strict);
        DataSpec.Splits splits = spec.load();
        checkFits(spec, splits.train(), model);
        checkFits(spec, splits.test(), model);
        return splits;
    }

    private static void checkFits(DataSpec spec, ImageSet images, CodeModel model) {
        ai.djl.ndarray.types.Shape want = model.inputShape(1);
        if (images.channels() != want.get(1) || images.height() != want.get(2) || images.width() != want.get(3)) {
            throw new IllegalArgumentException(spec + " holds " + images.channels() + "x" + images.height() + "x"
                    + images.width() + " images but the model was trained on " + want.get(1) + "x"
                    + want.get(2) + "x" + want.get(3));
        }
    }

    /**
     * Applies a model function to images chunk by chunk, concatenating the results.
     *
     * @param images the images
     * @param limit at most this many images
     * @param manager owner of the result
     * @param fn what to compute per chunk
     * @return the concatenated results
     */
    static NDArray chunked(ImageSet images, int limit, NDManager manager, Function<NDArray, NDArray> fn) {
        int n = Math.min(limit, images.count());
        NDList parts = new NDList();
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            try (NDManager step = manager.newSubManager()) {
                NDArray result = fn.apply(images.slice(from, to).toImages(step));
                result.attach(manager);
                parts.add(result);
            }
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
    }

}
