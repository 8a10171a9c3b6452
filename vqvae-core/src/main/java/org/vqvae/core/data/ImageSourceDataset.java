package org.vqvae.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;

import org.vqvae.core.io.HostArrays;

import java.io.IOException;

/**
 * An {@link ImageSource} as a DJL {@link RandomAccessDataset}, for applications that train with
 * DJL's own {@code EasyTrain.fit} or {@code Trainer.iterateDataset}: each record is one image
 * {@code [C, H, W]} float32 in [-0.5, 0.5] with its label {@code [1]} float32. DJL's sampler and
 * executor then do the batching; {@code vqvae train} uses {@link BatchLoader} instead, for
 * epoch shuffles drawn from the seed and runs that resume mid-epoch.
 */
public final class ImageSourceDataset extends RandomAccessDataset {

    private final ImageSource source;

    private ImageSourceDataset(Builder builder) {
        super(builder);
        this.source = builder.source;
    }

    /**
     * Starts a builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Record get(NDManager manager, long index) throws IOException {
        int i = Math.toIntExact(index);
        byte[] px = new byte[source.imageBytes()];
        source.read(i, px, 0);
        NDArray image = HostArrays.images(manager, px, 0, new Shape(source.channels(), source.height(), source.width()));
        return new Record(new NDList(image), new NDList(manager.create(new float[] {source.label(i)})));
    }

    @Override
    protected long availableSize() {
        return source.size();
    }

    @Override
    public void prepare(Progress progress) {
        // an ImageSource is ready when it is opened
    }

    /** Builds an {@link ImageSourceDataset}; {@code setSampling} is required, as for every DJL dataset. */
    public static final class Builder extends BaseBuilder<Builder> {
        private ImageSource source;

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Sets the images.
         *
         * @param images the source
         * @return this builder
         */
        public Builder setSource(ImageSource images) {
            this.source = images;
            return this;
        }

        /**
         * Builds the dataset.
         *
         * @return the dataset
         */
        public ImageSourceDataset build() {
            if (source == null) {
                throw new IllegalArgumentException("an ImageSourceDataset needs setSource(images)");
            }
            return new ImageSourceDataset(this);
        }
    }
}
