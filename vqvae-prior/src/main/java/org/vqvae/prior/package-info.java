/**
 * Autoregressive priors over VQ-VAE code maps: the class-conditional Gated PixelCNN
 * ({@link org.vqvae.prior.GatedPixelCnn}), its training ({@link org.vqvae.prior.PriorTrainer}) and
 * ancestral sampling ({@link org.vqvae.prior.PriorSampler}).
 */
package org.vqvae.prior;
