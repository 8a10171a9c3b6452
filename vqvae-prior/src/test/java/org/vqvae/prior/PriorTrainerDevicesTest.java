package org.vqvae.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** The prior trainer with each batch split over parts on the CPU ends where the unsplit trainer does. */
class PriorTrainerDevicesTest {

    @Test
    void splitTrainingEndsWhereWholeBatchTrainingDoes(@TempDir Path out) throws Exception {
        double whole = train(List.of(Device.cpu()), out.resolve("whole"));
        double split = train(List.of(Device.cpu(), Device.cpu(), Device.cpu()), out.resolve("split"));
        System.out.printf("held-out bits/code after 5 steps: whole batch %.8f, 3 parts %.8f%n", whole, split);
        assertEquals(whole, split, 1e-4 * whole);
    }

    private static double train(List<Device> devices, Path out) throws Exception {
        Engine.getInstance().setRandomSeed(8);
        GatedPixelCnn prior = new GatedPixelCnn(PixelCnnConfig.defaults(8, 4, 4, 4).withSize(16, 3, 3));
        PriorTrainer trainer = new PriorTrainer(prior, 5, 4, 3e-3f, 0, 5, out, new PrintStream(new ByteArrayOutputStream()));
        return trainer.train(PriorTest.tinySet(), PriorTest.tinySet(), devices).testBitsPerCode();
    }
}
