package org.vqvae.spark;

import ai.djl.ndarray.NDManager;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.vqvae.core.model.CodeModel;
import org.vqvae.core.train.Checkpoint;
import org.vqvae.prior.CodePrior;
import org.vqvae.prior.Priors;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models and priors of this JVM, each loaded once and kept (a lazy holder keyed by the model's path): an
 * executor loads a model when its first task needs it and every later task reuses it; nothing of
 * a model travels with a task's closure. A model on a Hadoop file system (a URI) is copied to a
 * local directory first.
 */
public final class ModelCache {

    private static final Map<String, Object> MODELS = new ConcurrentHashMap<>();

    private ModelCache() {}

    /**
     * Sets DJL up as the project's commands run it: offline (libtorch from the pytorch-native-cpu
     * jar), one inter-op thread, and {@code threads} intra-op threads when given. Takes effect only
     * before the engine starts in this JVM.
     *
     * @param threads intra-op threads, or 0 for libtorch's default
     */
    public static void configureEngine(int threads) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
    }

    /**
     * Returns the model at a path, loading it on first use in this JVM.
     *
     * @param model the model directory: a local path (absolute) or a URI
     * @param files the file systems' settings, for a URI
     * @param threads intra-op threads (0: libtorch's default)
     * @return the model, shared by this JVM's tasks (inference only)
     * @throws IOException if the model is missing or malformed
     */
    public static CodeModel get(String model, HadoopFiles files, int threads) throws IOException {
        Object m = MODELS.get(model);
        if (m == null) {
            synchronized (MODELS) {
                m = MODELS.get(model);
                if (m == null) {
                    configureEngine(threads);
                    java.nio.file.Path dir = HadoopFiles.isUri(model) && !model.startsWith("file:")
                            ? fetch(model, files) : localPath(model);
                    // the manager lives as long as the JVM: the model is this JVM's for good
                    m = Checkpoint.loadAny(dir, NDManager.newBaseManager());
                    MODELS.put(model, m);
                }
            }
        }
        return (CodeModel) m;
    }

    /**
     * Returns the prior at a path, loading it on first use in this JVM.
     *
     * @param prior the prior's run directory: a local path (absolute) or a URI
     * @param files the file systems' settings, for a URI
     * @param threads intra-op threads (0: libtorch's default)
     * @return the prior, shared by this JVM's tasks (inference only)
     * @throws IOException if the prior is missing or malformed
     */
    public static CodePrior prior(String prior, HadoopFiles files, int threads) throws IOException {
        String key = "prior:" + prior;
        Object p = MODELS.get(key);
        if (p == null) {
            synchronized (MODELS) {
                p = MODELS.get(key);
                if (p == null) {
                    configureEngine(threads);
                    java.nio.file.Path dir = HadoopFiles.isUri(prior) && !prior.startsWith("file:")
                            ? fetch(prior, files) : localPath(prior);
                    p = Priors.load(dir, NDManager.newBaseManager());
                    MODELS.put(key, p);
                }
            }
        }
        return (CodePrior) p;
    }

    private static java.nio.file.Path localPath(String model) {
        return model.startsWith("file:") ? java.nio.file.Path.of(java.net.URI.create(model)) : java.nio.file.Path.of(model);
    }

    private static java.nio.file.Path fetch(String model, HadoopFiles files) throws IOException {
        java.nio.file.Path local = Files.createTempDirectory("vqvae-model");
        Path src = new Path(model);
        FileSystem fs = files.fs(src);
        for (var s : fs.listStatus(src)) {
            fs.copyToLocalFile(false, s.getPath(), new Path(local.resolve(s.getPath().getName()).toUri()), true);
        }
        return local;
    }
}
