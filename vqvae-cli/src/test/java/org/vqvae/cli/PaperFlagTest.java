package org.vqvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.vqvae.core.model.VqVaeConfig;

import picocli.CommandLine;

/** {@code --paper} selects the paper's literal quantizer by value, not by whatever the defaults are. */
class PaperFlagTest {

    private static VqVaeConfig config(String... args) {
        return CommandLine.populateCommand(new ModelOptions(), args).config(1, 28, 28);
    }

    @Test
    void paperIsCodebookLossWithoutRestartsOrKMeans() {
        VqVaeConfig c = config("--paper");
        assertFalse(c.ema());
        assertEquals(0, c.restartAfter());
        assertFalse(c.kmeansInit());
        assertEquals(0.25f, c.beta());
        assertEquals(512, c.numCodes());
        assertEquals(VqVaeConfig.paper(1, 28, 28), c);
        assertEquals(VqVaeConfig.paper(1, 28, 28).withCodebook(64, 8), config("--paper", "-K", "64", "-D", "8"));
    }

    @Test
    void paperRefusesAnotherQuantizer() {
        assertThrows(IllegalArgumentException.class, () -> config("--paper", "--ema"));
        assertThrows(IllegalArgumentException.class, () -> config("--paper", "--restart-after", "100"));
        assertThrows(IllegalArgumentException.class, () -> config("--paper", "--kmeans-init"));
        ModelOptions vq2 = CommandLine.populateCommand(new ModelOptions(), "--paper", "--model", "vqvae2");
        assertThrows(IllegalArgumentException.class, () -> vq2.config2(null));
    }
}
