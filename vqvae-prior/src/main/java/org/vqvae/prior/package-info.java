/**
 * Autoregressive priors over VQ-VAE code maps (Gated PixelCNN, PixelSNAIL) and their samplers.
 * Not yet implemented: see the project's open issues.
 */
package org.vqvae.prior;
