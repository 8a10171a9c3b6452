package org.vqvae.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Each prior against its PyTorch replica from the same weights and maps (when {@code
 * /usr/bin/python3} has PyTorch). Measured on this machine over seeds 1-4: logits within 2.6e-7
 * of the largest logit, step-1 losses within 2 float ulps (4.8e-7), gradients within 9.3e-7
 * relative, losses along 5 Adam steps within 3 ulps (7.2e-7). The tolerances leave room for
 * another machine's kernels and none for a wrong operation, which moves these by 1e-3 or more.
 * For scale: DJL's fused Adam update (epsilon added before the bias correction) instead of
 * torch.optim.Adam's, which CheckpointableAdam makes, moves the loss after 5 steps by 2e-6 to 9e-6.
 */
class PriorFidelityTest {

    static final List<String> VARIANTS = PriorFidelityCheck.VARIANTS;

    @BeforeAll
    static void needsTorch() {
        if (!PriorFidelityCheck.hasTorch(PriorFidelityCheck.PYTHON)) {
            Assumptions.abort("skipped: " + PriorFidelityCheck.PYTHON + " cannot import torch and numpy;"
                    + " install PyTorch for it (pip install torch numpy, or apt-get install python3-torch)");
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void priorMatchesItsPyTorchReplica(String variant, @TempDir Path dir) throws Exception {
        PriorFidelity f = PriorFidelityCheck.check(variant, PriorFidelityCheck.Options.defaults(), dir);
        String report = f.report(true);
        assertTrue(f.maxAbsLogit() > 0.1, "logits too small to compare:\n" + report);
        assertTrue(f.relLogitDiff() < 1e-5, report);
        assertEquals(f.lossTheirs(), f.lossOurs(), 1e-6, report);
        Map.Entry<String, PriorFidelity.Grad> worst = f.worstGrad();
        assertTrue(worst.getValue().relDiff() < 1e-5, report);
        assertTrue(f.stepLossDiff() < 2e-6, report);
        // the steps did something: a broken update would pass the comparison by not moving
        assertTrue(f.finalLoss() < f.lossOurs() - 1e-3, report);
    }
}
