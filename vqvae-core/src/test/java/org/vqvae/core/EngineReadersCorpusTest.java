package org.vqvae.core;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vqvae.core.io.NamedArrays;
import org.vqvae.core.io.Npy;
import org.vqvae.core.train.Checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The readers that create engine arrays ({@code .npy}/{@code .npz} through DJL's decoder, a
 * checkpoint's {@code model.params}) replayed over a corpus of valid, truncated and corrupted files,
 * {@code src/test/resources/org/vqvae/core/EngineReadersCorpus/<reader>/}: each file is read or
 * refused with {@link IOException}, nothing else escapes. Not a Jazzer {@code @FuzzTest} as {@link
 * ReadersFuzzTest} is: with Jazzer's agent running the inputs, the first libtorch call aborts the
 * JVM ("terminate called without an active exception", jazzer-junit 0.24.0, DJL 0.36).
 */
class EngineReadersCorpusTest {

    @TempDir Path dir;

    static Stream<String> inputs(String reader) throws IOException, URISyntaxException {
        Path root = Path.of(EngineReadersCorpusTest.class.getResource("EngineReadersCorpus/" + reader).toURI());
        try (Stream<Path> s = Files.list(root)) {
            List<String> names = s.map(p -> reader + "/" + p.getFileName()).sorted().toList();
            return names.stream();
        }
    }

    static Stream<String> npy() throws IOException, URISyntaxException {
        return inputs("npy");
    }

    static Stream<String> npz() throws IOException, URISyntaxException {
        return inputs("npz");
    }

    static Stream<String> checkpointParams() throws IOException, URISyntaxException {
        return inputs("checkpointParams");
    }

    private byte[] bytes(String input) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("EngineReadersCorpus/" + input)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @MethodSource
    void npy(String input) throws IOException {
        Path f = Files.write(dir.resolve("a.npy"), bytes(input));
        try (NDManager m = NDManager.newBaseManager()) {
            Npy.read(m, f).close();
        } catch (IOException refused) {
            // the documented refusal
        }
    }

    @ParameterizedTest
    @MethodSource
    void npz(String input) throws IOException {
        Path f = Files.write(dir.resolve("a.npz"), bytes(input));
        try (NDManager m = NDManager.newBaseManager()) {
            NamedArrays.read(f, m);
        } catch (IOException refused) {
            // the documented refusal
        }
    }

    /** model.params (DJL's parameter format) loaded into a small block: it must fit or be refused. */
    @ParameterizedTest
    @MethodSource
    void checkpointParams(String input) throws IOException {
        Path d = Files.createDirectories(dir.resolve(Checkpoint.DIR));
        Files.write(d.resolve("config.json"), "{}".getBytes(StandardCharsets.US_ASCII));
        Files.write(d.resolve("model.params"), bytes(input));
        try (NDManager m = NDManager.newBaseManager()) {
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
