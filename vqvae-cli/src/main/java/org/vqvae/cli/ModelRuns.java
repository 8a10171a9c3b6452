package org.vqvae.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import ai.djl.ndarray.types.Shape;

import org.vqvae.core.data.BatchLoader;
import org.vqvae.core.data.DataSpec;
import org.vqvae.core.data.ImageSet;
import org.vqvae.core.data.ImageSource;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Evaluation;

import java.io.IOException;
import java.util.function.Function;

/** Helpers shared by the commands that use a trained model. */
final class ModelRuns {

    private ModelRuns() {}

    /**
     * Opens the requested split, image folders read at the model's size (unless {@code imageSize}
     * says otherwise) and channels, and checks it fits the model.
     *
     * @param dataSpec the data specification
     * @param split train or test
     * @param model the model
     * @param images image size, strictness
     * @return the images
     * @throws IOException if the data is unreadable
     */
    static ImageSource images(String dataSpec, String split, CodeModel model, ImageOptions images) throws IOException {
        DataSpec spec = spec(dataSpec, model, images);
        DataSpec.Splits<ImageSource> splits = spec.open();
        ImageSource chosen = switch (split) {
            case "train" -> splits.train();
            case "test" -> splits.test();
            default -> throw new IllegalArgumentException("--split must be train or test, got " + split);
        };
        checkFits(spec, chosen, model);
        return chosen;
    }

    /**
     * Opens both splits, image folders read at the model's size and channels, and checks they fit it.
     *
     * @param dataSpec the data specification
     * @param model the model
     * @param images image size, strictness
     * @return both splits
     * @throws IOException if the data is unreadable
     */
    static DataSpec.Splits<ImageSource> splits(String dataSpec, CodeModel model, ImageOptions images)
            throws IOException {
        return splits(dataSpec, null, model, images);
    }

    /**
     * Opens both splits as {@link #splits(String, CodeModel, ImageOptions)} does, the held-out split
     * from a separate set when {@code heldOutSpec} is given ({@code --val-data}).
     *
     * @param dataSpec the data specification
     * @param heldOutSpec the held-out images' specification, or null for the data's own split
     * @param model the model
     * @param images image size, strictness
     * @return both splits
     * @throws IOException if the data is unreadable
     */
    static DataSpec.Splits<ImageSource> splits(String dataSpec, String heldOutSpec, CodeModel model,
            ImageOptions images) throws IOException {
        DataSpec spec = spec(dataSpec, model, images);
        DataSpec.Splits<ImageSource> splits = heldOutSpec == null ? spec.open()
                : spec.open(spec(heldOutSpec, model, images));
        checkFits(spec, splits.train(), model);
        checkFits(spec, splits.test(), model);
        return splits;
    }

    private static DataSpec spec(String dataSpec, CodeModel model, ImageOptions images) {
        Shape in = model.inputShape(1);
        int size = images.imageSize != null ? images.imageSize : (int) in.get(2);
        return DataSpec.parse(dataSpec).withImages(size, images.strict).withChannels((int) in.get(1));
    }

    private static void checkFits(DataSpec spec, ImageSource images, CodeModel model) {
        Shape want = model.inputShape(1);
        if (images.channels() != want.get(1) || images.height() != want.get(2) || images.width() != want.get(3)) {
            throw new IllegalArgumentException(spec + " holds " + images.shapeText()
                    + " images but the model was trained on " + want.get(1) + "x" + want.get(2) + "x" + want.get(3));
        }
    }

    /**
     * Applies a model function to the first images chunk by chunk, concatenating the results.
     *
     * @param images the images
     * @param limit at most this many images
     * @param workers decoding threads
     * @param manager owner of the result
     * @param fn what to compute per chunk
     * @return the concatenated results
     * @throws IOException if an image cannot be read
     */
    static NDArray chunked(ImageSource images, int limit, int workers, NDManager manager,
            Function<NDArray, NDArray> fn) throws IOException {
        ImageSource first = images.size() <= limit ? images : images.subset(java.util.stream.IntStream.range(0, limit).toArray());
        NDList parts = new NDList();
        try (BatchLoader loader = BatchLoader.sequential(first, Evaluation.chunkFor(first), workers)) {
            while (loader.hasNext()) {
                ImageSet batch = loader.next();
                try (NDManager step = manager.newSubManager()) {
                    NDArray result = fn.apply(batch.toImages(step));
                    result.attach(manager);
                    parts.add(result);
                }
            }
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
    }
}
