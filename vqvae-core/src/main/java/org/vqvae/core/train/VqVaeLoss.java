package org.vqvae.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

import org.vqvae.core.model.VqVae;

/**
 * The VQ-VAE objective (paper eq. 3): the reconstruction MSE plus the auxiliary VQ loss that the
 * model returns as an extra output (codebook and commitment terms, weighted inside the quantizer),
 * as DJL's TabNet loss adds its sparse loss.
 */
public final class VqVaeLoss extends Loss {

    /** Creates the loss. */
    public VqVaeLoss() {
        super("vqvae");
    }

    /**
     * Returns the reconstruction MSE alone.
     *
     * @param images the target images
     * @param reconstruction the model's reconstruction
     * @return a scalar
     */
    public static NDArray reconstructionMse(NDArray images, NDArray reconstruction) {
        return reconstruction.sub(images).square().mean();
    }

    /** {@inheritDoc} */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray mse = reconstructionMse(labels.head(), predictions.get(VqVae.RECONSTRUCTION));
        return mse.add(predictions.get(VqVae.VQ_LOSS));
    }
}
