package org.vqvae.core;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.vqvae.core.io.NamedArrays;
import org.vqvae.core.io.Npy;
import org.vqvae.core.train.Checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The readers that create engine arrays from a file ({@code .npy}/{@code .npz} through DJL's
 * decoder, a checkpoint's {@code model.params}), fuzzed as {@link ReadersFuzzTest} fuzzes the
 * others: read, or refuse with {@link IOException}, nothing else; corpus in {@code
 * src/test/resources/org/vqvae/core/EngineReadersFuzzTestInputs/<method>/}. (Fuzzing found an
 * int16 {@code .npy} that made libtorch abort the whole JVM: such a crash shows as "The forked VM
 * terminated", and the input is the last one Jazzer wrote.)
 */
class EngineReadersFuzzTest {

    private static Path dir;
    private static NDManager manager;

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("vqvae-fuzz");
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() throws IOException {
        manager.close();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void npy(byte[] bytes) throws IOException {
        Path f = Files.write(dir.resolve("a.npy"), bytes);
        try (NDManager m = manager.newSubManager()) {
            Npy.read(m, f).close();
        } catch (IOException refused) {
            // the documented refusal
        }
    }

    @FuzzTest(maxDuration = "30s")
    void npz(byte[] bytes) throws IOException {
        Path f = Files.write(dir.resolve("a.npz"), bytes);
        try (NDManager m = manager.newSubManager()) {
            NamedArrays.read(f, m);
        } catch (IOException refused) {
            // the documented refusal
        }
    }

    /** model.params (DJL's parameter format) loaded into a small block: it must fit or be refused. */
    @FuzzTest(maxDuration = "30s")
    void checkpointParams(byte[] bytes) throws IOException {
        Path d = Files.createDirectories(dir.resolve(Checkpoint.DIR));
        Files.write(d.resolve("config.json"), "{}".getBytes(StandardCharsets.US_ASCII));
        Files.write(d.resolve("model.params"), bytes);
        try (NDManager m = manager.newSubManager()) {
            Checkpoint.loadInitialized(dir, block(m), m);
        } catch (IOException refused) {
            // the documented refusal
        }
    }

    /** The block whose parameters {@code linear.params} holds. */
    static Block block(NDManager m) {
        Block b = Linear.builder().setUnits(2).build();
        b.initialize(m, DataType.FLOAT32, new Shape(1, 3));
        return b;
    }
}
