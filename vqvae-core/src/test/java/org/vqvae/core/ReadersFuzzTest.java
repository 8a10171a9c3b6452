package org.vqvae.core;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.vqvae.core.data.Cifar10Files;
import org.vqvae.core.data.IdxFile;
import org.vqvae.core.io.MappedNpy;
import org.vqvae.core.io.torch.SafeTensors;
import org.vqvae.core.io.torch.TorchCheckpoint;
import org.vqvae.core.train.Checkpoint;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The readers of files that may come from anywhere and need no engine, fuzzed with Jazzer: each must either read the
 * bytes or refuse them with its declared checked exception ({@link IOException}, of which {@link
 * org.vqvae.core.io.torch.WeightFormatException} is one), never with an unchecked exception, an
 * {@link OutOfMemoryError} from a hostile length, or a hang. Without {@code JAZZER_FUZZ=1} each
 * method only replays its corpus, {@code src/test/resources/org/vqvae/core/ReadersFuzzTestInputs/
 * <method>/}: seeds (valid small files, truncated and corrupted ones) and every input fuzzing found.
 */
class ReadersFuzzTest {

    private static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("vqvae-fuzz");
    }

    @AfterAll
    static void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @FuzzTest(maxDuration = "30s")
    void idx(byte[] bytes) {
        for (int rank = 1; rank <= 3; rank += 2) {
            try {
                IdxFile.read(new ByteArrayInputStream(bytes), "fuzz", rank);
            } catch (IOException refused) {
                // the documented refusal
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void cifar10(byte[] bytes) throws IOException {
        Path d = Files.createDirectories(dir.resolve("cifar"));
        Files.write(d.resolve("data_batch_1.bin"), bytes);
        Files.write(d.resolve("test_batch.bin"), bytes);
        try {
            Cifar10Files.read(d);
        } catch (IOException refused) {
            // the documented refusal
        }
    }

    @FuzzTest(maxDuration = "30s")
    void mappedNpy(byte[] bytes) throws IOException {
        Path f = file("m.npy", bytes);
        try {
            MappedNpy npy = MappedNpy.open(f);
            long[] dst = new long[(int) Math.min(npy.count(), 64)];
            npy.read(0, dst, 0, dst.length);
        } catch (IOException refused) {
            // the documented refusal
        }
    }

    @FuzzTest(maxDuration = "30s")
    void torchCheckpoint(byte[] bytes) throws IOException {
        Path f = file("model.pt", bytes);
        try {
            TorchCheckpoint.read(f);
        } catch (IOException refused) {
            // WeightFormatException, or an unreadable file
        }
    }

    @FuzzTest(maxDuration = "30s")
    void safeTensors(byte[] bytes) throws IOException {
        Path f = file("model.safetensors", bytes);
        try {
            SafeTensors.read(f);
        } catch (IOException refused) {
            // WeightFormatException, or an unreadable file
        }
    }

    @FuzzTest(maxDuration = "30s")
    void checkpointConfig(byte[] bytes) throws IOException {
        Path d = Files.createDirectories(dir.resolve("config").resolve(Checkpoint.DIR));
        Files.write(d.resolve("config.json"), bytes);
        try {
            Checkpoint.readConfig(d.getParent());
        } catch (IOException refused) {
            // the documented refusal
        }
    }
}
