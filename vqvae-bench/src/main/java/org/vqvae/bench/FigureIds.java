package org.vqvae.bench;

import org.openjdk.jmh.annotations.Param;

import java.util.Arrays;
import java.util.Map;

/** Names each JMH result as its PyTorch counterpart in {@code torch_bench.py} names it. */
final class FigureIds {

    private FigureIds() {}

    /**
     * Returns the figure id of a benchmark result.
     *
     * @param benchmark the benchmark class's simple name
     * @param method the benchmark method
     * @param params its parameters
     * @return e.g. {@code quantizer-N65536-K8192}, {@code train-vqvae-28}, {@code sample-pixelcnn-8-fast}
     */
    static String of(String benchmark, String method, Map<String, String> params) {
        return switch (benchmark) {
            case "MatmulBenchmark" -> "matmul-" + params.get("n");
            case "QuantizerBenchmark" -> "quantizer-N" + params.get("vectors") + "-K" + params.get("codes");
            case "TrainStepBenchmark" -> "train-" + name(params.get("model")) + batchSuffix(params.get("model"));
            case "CodecBenchmark" -> method + "-" + name(params.get("model"));
            case "PriorStepBenchmark" -> "prior-step-" + name(params.get("prior"));
            case "SamplingBenchmark" -> "sample-" + params.get("prior") + "-" + params.get("sampler");
            default -> benchmark + "." + method;
        };
    }

    /**
     * Names a training step's batch when it is not the suite's own (a {@code --param model=vqvae2-256:128} run):
     * {@code -b128}, so that the figure is not taken for the suite's batch-16 one.
     */
    static String batchSuffix(String modelAndBatch) {
        try {
            String[] suite = TrainStepBenchmark.class.getDeclaredField("model").getAnnotation(Param.class).value();
            return Arrays.asList(suite).contains(modelAndBatch) ? "" : "-b" + batch(modelAndBatch);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code vqvae-28:128} to {@code vqvae-28}. */
    static String name(String modelAndBatch) {
        int colon = modelAndBatch.indexOf(':');
        return colon < 0 ? modelAndBatch : modelAndBatch.substring(0, colon);
    }

    /**
     * Returns the batch of a {@code model:batch} parameter.
     *
     * @param modelAndBatch e.g. {@code vqvae2-256:16}
     * @return the batch, 1 without one
     */
    static int batch(String modelAndBatch) {
        int colon = modelAndBatch.indexOf(':');
        return colon < 0 ? 1 : Integer.parseInt(modelAndBatch.substring(colon + 1));
    }
}
