package org.vqvae.core.djl;

import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.Metadata;
import ai.djl.repository.Repository;
import ai.djl.repository.RepositoryFactory;
import ai.djl.repository.SimpleRepository;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets {@code Criteria.builder().setTypes(Image.class, CodeMaps.class).optModelPath(dir)} load a
 * model directory with no other argument. DJL 0.36 chooses the translator factory of a typed
 * Criteria before it reads {@code serving.properties} ({@code BaseModelLoader.loadModel}), so the
 * {@code translatorFactory} written there alone is never seen; this factory, registered for
 * {@code file:} URLs through {@code META-INF/services}, gives a directory of ours (see {@link
 * ModelDirectory#settings}) a repository whose artifact already carries those settings, as DJL
 * does for the arguments of a URL's query. Every other {@code file:} URL gets the repository DJL's
 * own factory makes.
 */
public final class VqVaeRepositoryFactory implements RepositoryFactory {

    private static final RepositoryFactory DJL_FILES = djlFileFactory();

    @Override
    public Set<String> getSupportedScheme() {
        return Set.of("file");
    }

    @Override
    public Repository newInstance(String name, URI uri) {
        Optional<Map<String, String>> settings = path(uri).flatMap(ModelDirectory::settings);
        if (settings.isPresent()) {
            return new ModelDirectoryRepository(name, uri, path(uri).get(), settings.get());
        }
        if (DJL_FILES != null) {
            return DJL_FILES.newInstance(name, uri);
        }
        return new SimpleRepository(name, uri, path(uri).orElse(Paths.get(uri.getPath()))) {};
    }

    private static Optional<Path> path(URI uri) {
        try {
            return Optional.of(Paths.get(new URI(uri.getScheme(), uri.getAuthority(), uri.getPath(), null, null)));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** DJL's own factory of {@code file:} repositories, which this one stands in front of. */
    private static RepositoryFactory djlFileFactory() {
        try {
            Constructor<?> c = Class.forName("ai.djl.repository.RepositoryFactoryImpl$LocalRepositoryFactory")
                    .getDeclaredConstructor();
            c.setAccessible(true);
            return (RepositoryFactory) c.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // a DJL without it: a plain directory repository, as DJL makes for a model directory
        }
    }

    /** DJL's repository of one model directory, its artifact carrying the directory's settings. */
    private static final class ModelDirectoryRepository extends SimpleRepository {

        private final Map<String, String> settings;

        ModelDirectoryRepository(String name, URI uri, Path path, Map<String, String> settings) {
            super(name, uri, path);
            this.settings = settings;
        }

        @Override
        public Metadata locate(MRL mrl) throws IOException {
            Metadata metadata = super.locate(mrl);
            for (Artifact artifact : metadata.getArtifacts()) {
                Map<String, Object> arguments = new ConcurrentHashMap<>();
                Map<String, String> options = new ConcurrentHashMap<>();
                settings.forEach((k, v) -> {
                    if (k.startsWith("option.")) {
                        options.put(k.substring("option.".length()), v);
                    } else {
                        arguments.put(k, v);
                    }
                });
                // what the URL's query or an earlier call set wins, as it would over serving.properties
                if (artifact.getArguments() != null) {
                    arguments.putAll(artifact.getArguments());
                }
                artifact.setArguments(arguments);
                options.putAll(artifact.getOptions(null));
                artifact.setOptions(options);
            }
            return metadata;
        }
    }
}
