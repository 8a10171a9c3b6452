package org.vqvae.core.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.Repository;
import ai.djl.repository.SimpleRepository;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.TranslateException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqvae.core.data.DecodedImage;
import org.vqvae.core.data.ImageDecoder;
import org.vqvae.core.data.ImageFolderSource;
import org.vqvae.core.io.HostArrays;
import org.vqvae.core.io.ImageGrid;
import org.vqvae.core.model.RosinalityVqVae2;
import org.vqvae.core.model.RosinalityVqVae2Config;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.model.VqVae;
import org.vqvae.core.model.VqVae2;
import org.vqvae.core.model.VqVae2Config;
import org.vqvae.core.model.VqVaeConfig;
import org.vqvae.core.train.Checkpoint;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;

/**
 * A run directory is a DJL model directory: Criteria with the types and the path alone loads it,
 * the translators convert images as the CLI's image folders do, and one ZooModel serves many
 * predictors on many threads with the results of one.
 */
class ModelDirectoryTest {

    @TempDir static Path tmp;
    static Path folder;
    static List<Path> files = new ArrayList<>();

    @BeforeAll
    static void images() throws IOException {
        folder = tmp.resolve("images");
        Path cls = Files.createDirectories(folder.resolve("a"));
        int[][] sizes = {{20, 30}, {33, 17}, {16, 16}, {9, 40}, {5, 7}, {64, 48}, {17, 17}, {40, 9}};
        for (int i = 0; i < sizes.length; i++) {
            BufferedImage img = new BufferedImage(sizes[i][0], sizes[i][1],
                    i == 2 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int r = (x * 37 + y * 11 + i * 50) & 0xFF;
                    int g = (x * x + 3 * y + i * 90) & 0xFF;
                    int b = (y * y * 5 + x + i * 20) & 0xFF;
                    img.setRGB(x, y, (r << 16) | (g << 8) | b);
                }
            }
            Path f = cls.resolve(String.format("img%02d.png", i));
            ImageIO.write(img, "png", f.toFile());
            files.add(f);
        }
    }

    private static Path save(CodeModel model, String name) throws IOException {
        seedCodebooks(model);
        Path run = tmp.resolve(name);
        Checkpoint.save(run, model, null, 7);
        return run;
    }

    /** One training pass starts the codebooks at k-means++ centres of the images, so codes vary. */
    private static void seedCodebooks(CodeModel model) throws IOException {
        Shape in = model.inputShape(1);
        ImageFolderSource src = ImageFolderSource.open(folder, (int) in.get(2), (int) in.get(1));
        byte[] px = new byte[(int) in.size() * src.size()];
        for (int i = 0; i < src.size(); i++) {
            src.read(i, px, i * (int) in.size());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray images = HostArrays.images(m, px, 0, model.inputShape(src.size()));
            model.forward(new ParameterStore(m, false), new NDList(images), true);
        }
    }

    private static <I, O> ZooModel<I, O> load(Class<I> in, Class<O> out, Path dir) throws Exception {
        // exactly what the README shows: the types and the path, nothing else
        return Criteria.builder().setTypes(in, out).optModelPath(dir).build().loadModel();
    }

    /** The codes the CLI's path gives: ImageFolderSource's pixels at the model's size, encodeLevels. */
    /** A test model must not map everything to one code, or comparing codes would prove little. */
    private static void assertCodesVary(List<CodeMaps> codes) {
        Set<Integer> distinct = new HashSet<>();
        for (CodeMaps c : codes) {
            for (int[] row : c.level(0)) {
                for (int v : row) {
                    distinct.add(v);
                }
            }
        }
        assertTrue(distinct.size() > 3, "the test model must not map everything to one code: " + distinct);
    }

    private static List<CodeMaps> cliCodes(CodeModel model, NDManager manager) throws IOException {
        Shape in = model.inputShape(1);
        ImageFolderSource src = ImageFolderSource.open(folder, (int) in.get(2), (int) in.get(1));
        List<CodeMaps> out = new ArrayList<>();
        byte[] px = new byte[(int) in.size()];
        for (int i = 0; i < src.size(); i++) {
            src.read(i, px, 0);
            try (NDManager step = manager.newSubManager()) {
                NDList codes = model.encodeLevels(HostArrays.images(step, px, 0, in));
                int[][][] levels = new int[codes.size()][][];
                for (int l = 0; l < codes.size(); l++) {
                    levels[l] = toInts(codes.get(l).squeeze(0));
                }
                out.add(CodeMaps.of(levels));
            }
        }
        return out;
    }

    private static int[][] toInts(NDArray map) {
        int h = (int) map.getShape().get(0);
        int w = (int) map.getShape().get(1);
        long[] v = map.toLongArray();
        int[][] out = new int[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y][x] = (int) v[y * w + x];
            }
        }
        return out;
    }

    private static List<Image> inputs() throws IOException {
        List<Image> out = new ArrayList<>();
        for (Path f : files) {
            out.add(ImageFactory.getInstance().fromFile(f));
        }
        return out;
    }

    @Test
    void runAndCheckpointDirectoriesEncodeAsTheCliDoes() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            VqVae model = new VqVae(VqVaeConfig.defaults(1, 16, 16).withTrunk(16, 8, 1).withCodebook(32, 8).withCodebookHealth(0, true)).initialize(m);
            Path run = save(model, "grey");
            assertTrue(Files.isRegularFile(run.resolve(ModelDirectory.SERVING_PROPERTIES)));
            assertTrue(Files.isRegularFile(run.resolve("checkpoint").resolve(ModelDirectory.SERVING_PROPERTIES)));
            List<CodeMaps> expected = cliCodes(model, m);
            assertCodesVary(expected);
            for (Path dir : List.of(run, run.resolve("checkpoint"))) {
                try (ZooModel<Image, CodeMaps> zoo = load(Image.class, CodeMaps.class, dir);
                        Predictor<Image, CodeMaps> p = zoo.newPredictor()) {
                    List<Image> images = inputs();
                    for (int i = 0; i < images.size(); i++) {
                        CodeMaps got = p.predict(images.get(i));
                        assertEquals(1, got.levels());
                        assertEquals(List.of(4, 4), List.of(got.shape(0)[0], got.shape(0)[1]));
                        assertEquals(expected.get(i), got, dir + ": image " + i);
                    }
                    assertEquals(expected, p.batchPredict(images), dir + ": batchPredict");
                }
            }
        }
    }

    @Test
    void vqVae2LevelsBottomFirstDecodeAndReconstruct() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            VqVae2 model = new VqVae2(VqVae2Config.defaults(3, 16, 16, 2).withSizes(16, 8, 1, 32, 8).withCodebookHealth(0, true)).initialize(m);
            Path run = save(model, "colour");
            List<CodeMaps> expected = cliCodes(model, m);
            List<Image> images = inputs();
            try (ZooModel<Image, CodeMaps> enc = load(Image.class, CodeMaps.class, run);
                    Predictor<Image, CodeMaps> p = enc.newPredictor();
                    ZooModel<CodeMaps, Image> dec = load(CodeMaps.class, Image.class, run);
                    Predictor<CodeMaps, Image> d = dec.newPredictor();
                    ZooModel<Image, Image> rec = load(Image.class, Image.class, run);
                    Predictor<Image, Image> r = rec.newPredictor()) {
                List<CodeMaps> codes = p.batchPredict(images);
                assertEquals(expected, codes);
                assertEquals(2, codes.get(0).levels());
                assertEquals(List.of(4, 4, 2, 2), List.of(codes.get(0).shape(0)[0], codes.get(0).shape(0)[1],
                        codes.get(0).shape(1)[0], codes.get(0).shape(1)[1]));
                for (int i = 0; i < 3; i++) {
                    Image decoded = d.predict(codes.get(i));
                    assertEquals(16, decoded.getWidth());
                    assertEquals(16, decoded.getHeight());
                    int[] want = pixels(model.decodeLevels(arrays(codes.get(i), m)));
                    assertPixelsClose(want, decoded, m, "decoded " + i);
                    Image reconstructed = r.predict(images.get(i));
                    int[] wantRec = pixels(model.decodeLevels(arrays(expected.get(i), m)));
                    assertPixelsClose(wantRec, reconstructed, m, "reconstructed " + i);
                }
                CodeMaps wrong = CodeMaps.of(new int[3][3], new int[2][2]);
                TranslateException e = assertThrows(TranslateException.class, () -> d.predict(wrong));
                assertTrue(e.getMessage().contains("must be 4x4 codes, got 3x3"), e.getMessage());
                CodeMaps outside = CodeMaps.of(new int[][] {{0, 0, 0, 99}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}},
                        new int[2][2]);
                e = assertThrows(TranslateException.class, () -> d.predict(outside));
                assertTrue(e.getMessage().contains("holds code 99, outside [0, 32)"), e.getMessage());
            }
        }
    }

    private static NDList arrays(CodeMaps maps, NDManager m) {
        NDList list = new NDList();
        for (int l = 0; l < maps.levels(); l++) {
            int[] s = maps.shape(l);
            list.add(m.create(maps.flat(l), new Shape(1, s[0], s[1])));
        }
        return list;
    }

    /** 8-bit pixels of one [1, C, H, W] image as RGB, HWC, the way ImageGrid renders them. */
    private static int[] pixels(NDArray image) {
        Shape s = image.getShape();
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] px = image.toFloatArray();
        int[] out = new int[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < 3; k++) {
                    out[(y * w + x) * 3 + k] = ImageGrid.pixel(px[((c == 1 ? 0 : k) * h + y) * w + x]);
                }
            }
        }
        return out;
    }

    /** Within one grey level: the batch size may change a float sum's last bit, so a rounding. */
    private static void assertPixelsClose(int[] want, Image got, NDManager m, String what) {
        int[] px = got.toNDArray(m, Image.Flag.COLOR).toType(DataType.INT32, false).toIntArray();
        assertEquals(want.length, px.length, what);
        for (int i = 0; i < px.length; i++) {
            assertTrue(Math.abs(want[i] - px[i]) <= 1, what + ": pixel " + i + " is " + px[i] + ", want " + want[i]);
        }
    }

    @Test
    void anImportedRosinalityModelServesAsOursDo() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            RosinalityVqVae2 model = new RosinalityVqVae2(RosinalityVqVae2Config.of(3, 16, 16, 1, 8, 8, 32)).initialize(m);
            // codebooks are zero until weights are imported: small random codes, so that the nearest
            // code follows an untrained encoder's output direction and the codes vary from place to place
            Engine.getInstance().setRandomSeed(3);
            model.torchParameters().forEach((name, p) -> {
                if (name.endsWith(".embed")) {
                    NDArray embed = p.getArray();
                    embed.set(new NDIndex(":"), m.randomNormal(embed.getShape()).mul(1e-3f));
                }
            });
            Path run = tmp.resolve("rosinality");
            Checkpoint.save(run, model, model.configJson(), null, 0); // what `vqvae import` writes
            List<CodeMaps> expected = cliCodes(model, m);
            assertCodesVary(expected);
            List<Image> images = inputs();
            try (ZooModel<Image, CodeMaps> enc = load(Image.class, CodeMaps.class, run);
                    Predictor<Image, CodeMaps> p = enc.newPredictor();
                    ZooModel<CodeMaps, Image> dec = load(CodeMaps.class, Image.class, run);
                    Predictor<CodeMaps, Image> d = dec.newPredictor()) {
                List<CodeMaps> codes = p.batchPredict(images);
                assertEquals(expected, codes);
                assertEquals(List.of(4, 4, 2, 2), List.of(codes.get(0).shape(0)[0], codes.get(0).shape(0)[1],
                        codes.get(0).shape(1)[0], codes.get(0).shape(1)[1]));
                for (int i = 0; i < 3; i++) {
                    // decoded in this project's [-0.5, 0.5], whatever the source's range
                    int[] want = pixels(model.decodeLevels(arrays(codes.get(i), m)));
                    assertPixelsClose(want, d.predict(codes.get(i)), m, "decoded " + i);
                }
            }
        }
    }

    @Test
    void aNonSquareGreyModelCoversAndCropsEveryImage() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            // 8 wide, 12 high: what ImageDecoder.resizeCenterCrop(image, 8, 12) gives, in luma
            VqVae model = new VqVae(VqVaeConfig.defaults(1, 12, 8).withTrunk(16, 8, 1).withCodebook(32, 8)).initialize(m);
            Path run = tmp.resolve("tall");
            Checkpoint.save(run, model, null, 1);
            try (ZooModel<Image, CodeMaps> zoo = load(Image.class, CodeMaps.class, run);
                    Predictor<Image, CodeMaps> p = zoo.newPredictor()) {
                for (Path f : files) {
                    Image img = ImageFactory.getInstance().fromFile(f);
                    CodeMaps got = p.predict(img);
                    assertEquals(List.of(3, 2), List.of(got.shape(0)[0], got.shape(0)[1]), f.toString());
                    byte[] rgb = img.toNDArray(m, Image.Flag.COLOR).toByteArray();
                    byte[] chw = ImageDecoder.resizeCenterCrop(
                            new DecodedImage(img.getWidth(), img.getHeight(), 3, rgb).toGrey(), 8, 12);
                    NDArray codes = model.encode(HostArrays.images(m, chw, 0, new Shape(1, 1, 12, 8)));
                    assertEquals(CodeMaps.of(toInts(codes.squeeze(0))), got, f.toString());
                }
            }
        }
    }

    @Test
    void oneZooModelManyThreadsSameCodesAsOne() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            VqVae model = new VqVae(VqVaeConfig.defaults(3, 16, 16).withTrunk(16, 8, 1).withCodebook(32, 8).withCodebookHealth(0, true)).initialize(m);
            Path run = save(model, "threads");
            List<Image> images = inputs();
            try (ZooModel<Image, CodeMaps> zoo = load(Image.class, CodeMaps.class, run);
                    ZooModel<Image, Image> rec = load(Image.class, Image.class, run)) {
                List<CodeMaps> single = new ArrayList<>();
                List<int[]> singleRec = new ArrayList<>();
                try (Predictor<Image, CodeMaps> p = zoo.newPredictor();
                        Predictor<Image, Image> r = rec.newPredictor()) {
                    for (Image img : images) {
                        single.add(p.predict(img));
                        singleRec.add(rgb(r.predict(img), m));
                    }
                }
                int threads = 4;
                ExecutorService pool = Executors.newFixedThreadPool(threads + 2);
                try {
                    List<Future<List<CodeMaps>>> runs = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        int shift = t;
                        runs.add(pool.submit(() -> {
                            List<CodeMaps> got = new ArrayList<>(single);
                            try (Predictor<Image, CodeMaps> p = zoo.newPredictor()) {
                                for (int round = 0; round < 5; round++) {
                                    // each thread walks the images from another start, so calls overlap differently
                                    for (int k = 0; k < images.size(); k++) {
                                        int i = (k + shift + round) % images.size();
                                        CodeMaps c = p.predict(images.get(i));
                                        if (!c.equals(single.get(i))) {
                                            got.set(i, c);
                                        }
                                    }
                                }
                            }
                            return got;
                        }));
                    }
                    // and reconstructions, on other threads at the same time, as one thread's
                    List<Future<Boolean>> recs = new ArrayList<>();
                    for (int t = 0; t < 2; t++) {
                        recs.add(pool.submit(() -> {
                            try (Predictor<Image, Image> r = rec.newPredictor(); NDManager own = NDManager.newBaseManager()) {
                                for (int i = 0; i < images.size(); i++) {
                                    if (!java.util.Arrays.equals(singleRec.get(i), rgb(r.predict(images.get(i)), own))) {
                                        return false;
                                    }
                                }
                            }
                            return true;
                        }));
                    }
                    for (Future<List<CodeMaps>> f : runs) {
                        assertEquals(single, f.get());
                    }
                    for (Future<Boolean> f : recs) {
                        assertTrue(f.get(), "a reconstruction differs from the single thread's");
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }

    private static int[] rgb(Image image, NDManager m) {
        try (NDArray a = image.toNDArray(m, Image.Flag.COLOR)) {
            return a.toType(DataType.INT32, false).toIntArray();
        }
    }

    @Test
    void olderRunDirectoriesWithoutServingPropertiesStillLoad() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            VqVae model = new VqVae(VqVaeConfig.defaults(1, 16, 16).withTrunk(16, 8, 1).withCodebook(32, 8).withCodebookHealth(0, true)).initialize(m);
            Path run = save(model, "old");
            Files.delete(run.resolve(ModelDirectory.SERVING_PROPERTIES));
            Files.delete(run.resolve("checkpoint").resolve(ModelDirectory.SERVING_PROPERTIES));
            try (ZooModel<Image, CodeMaps> zoo = load(Image.class, CodeMaps.class, run);
                    Predictor<Image, CodeMaps> p = zoo.newPredictor()) {
                assertEquals(cliCodes(model, m).get(0), p.predict(inputs().get(0)));
            }
            assertFalse(Files.exists(run.resolve(ModelDirectory.SERVING_PROPERTIES)), "loading writes nothing");
        }
    }

    @Test
    void notAModelDirectory() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThrows(ModelNotFoundException.class, () -> load(Image.class, CodeMaps.class, empty));
        // directories that are not ours get DJL's own repository
        assertSame(SimpleRepository.class, Repository.newInstance("x", empty).getClass());
        Path broken = Files.createDirectories(tmp.resolve("broken"));
        ModelDirectory.writeServingProperties(broken);
        // ours by its serving.properties, but no checkpoint: one message saying so
        IOException e = assertThrows(IOException.class, () -> load(Image.class, CodeMaps.class, broken));
        assertTrue(e.getMessage().contains("is no VQ-VAE model directory: it holds no checkpoint"), e.getMessage());
        // a checkpoint whose parameters do not fit its config: Checkpoint's message
        try (NDManager m = NDManager.newBaseManager()) {
            Path run = save(new VqVae(VqVaeConfig.defaults(1, 16, 16).withTrunk(16, 8, 1).withCodebook(32, 8)
                    .withCodebookHealth(0, true)).initialize(m), "truncated");
            Path params = run.resolve("checkpoint/model.params");
            byte[] all = Files.readAllBytes(params);
            Files.write(params, java.util.Arrays.copyOf(all, all.length / 2));
            e = assertThrows(IOException.class, () -> load(Image.class, CodeMaps.class, run));
            assertTrue(e.getMessage().contains("model.params is truncated"), e.getMessage());
        }
    }
}
