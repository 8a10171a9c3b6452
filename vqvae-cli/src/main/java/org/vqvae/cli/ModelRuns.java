package org.vqvae.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
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
        DataSpec spec = DataSpec.parse(dataSpec);
        DataSpec.Splits splits = spec.load();
        ImageSet images = switch (split) {
            case "train" -> splits.train();
            case "test" -> splits.test();
            default -> throw new IllegalArgumentException("--split must be train or test, got " + split);
        };
        if (images.channels() != config.imageChannels() || images.height() != config.imageHeight()
                || images.width() != config.imageWidth()) {
            throw new IllegalArgumentException(spec + " holds " + images.channels() + "x" + images.height() + "x"
                    + images.width() + " images but the model was trained on " + config.imageChannels() + "x"
                    + config.imageHeight() + "x" + config.imageWidth());
        }
        return images;
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
