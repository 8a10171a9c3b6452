package org.vqvae.bench;

import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;
import org.vqvae.core.model.VqVaeConfig;

/** The models of the trajectory check, each built as {@code fidelity.py --model ID} builds its twin. */
public enum FidelityModel {
    /** The paper's literal VQ-VAE: codebook loss. */
    VQVAE("vqvae"),
    /** The same with an EMA codebook. */
    VQVAE_EMA("vqvae-ema"),
    /** A two-level VQ-VAE-2 with its default EMA codebooks, on 32x32 images. */
    VQVAE2("vqvae2");

    private final String id;

    FidelityModel(String id) {
        this.id = id;
    }

    /** The name {@code fidelity.py --model} knows this model by. */
    public String id() {
        return id;
    }

    /**
     * Builds an uninitialised model.
     *
     * @return the model
     */
    public CodeModel build() {
        return switch (this) {
            case VQVAE -> new VqVae(VqVaeConfig.paper(1, 28, 28));
            case VQVAE_EMA -> new VqVae(VqVaeConfig.paper(1, 28, 28).withEma(true));
            // the PyTorch replica has no dead-code restarts
            case VQVAE2 -> new VqVae2(VqVae2Config.defaults(1, 32, 32, 2).withCodebookHealth(0, false));
        };
    }

    /**
     * Finds a model by its id.
     *
     * @param id as {@code fidelity.py --model} takes it
     * @return the model
     */
    public static FidelityModel of(String id) {
        for (FidelityModel m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown model " + id + " (vqvae, vqvae-ema or vqvae2)");
    }
}
