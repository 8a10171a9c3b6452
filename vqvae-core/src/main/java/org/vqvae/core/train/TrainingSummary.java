package org.vqvae.core.train;

import ai.djl.util.JsonUtils;

/**
 * What a training run achieved, written as {@code summary.json}.
 *
 * @param steps optimisation steps done
 * @param batch images per step
 * @param msPerStep median wall time of a training step (forward, backward, update) after warm-up
 * @param testMse held-out reconstruction MSE
 * @param testPsnr held-out PSNR (dB, peak 1)
 * @param perplexity held-out codebook perplexity
 * @param codebookUsage held-out fraction of codes used
 * @param meanImageMse MSE of predicting the training mean image on the held-out set (baseline)
 * @param trainSeconds wall time of the training loop
 * @param threads intra-op threads of the engine
 * @param data the data specification
 * @param ema whether the codebook used EMA updates
 * @param levelNames names of the code levels, bottom first
 * @param levelPerplexity held-out perplexity per level
 * @param levelUsage held-out codebook usage per level
 */
public record TrainingSummary(
        long steps,
        int batch,
        double msPerStep,
        double testMse,
        double testPsnr,
        double perplexity,
        double codebookUsage,
        double meanImageMse,
        double trainSeconds,
        int threads,
        String data,
        boolean ema,
        String[] levelNames,
        double[] levelPerplexity,
        double[] levelUsage) {

    /**
     * Returns the summary as JSON with snake_case keys.
     *
     * @return JSON text
     */
    public String toJson() {
        com.google.gson.JsonObject o = new com.google.gson.JsonObject();
        o.addProperty("steps", steps);
        o.addProperty("batch", batch);
        o.addProperty("ms_per_step", round(msPerStep, 2));
        o.addProperty("test_mse", round(testMse, 6));
        o.addProperty("test_psnr", round(testPsnr, 3));
        o.addProperty("perplexity", round(perplexity, 2));
        o.addProperty("codebook_usage", round(codebookUsage, 4));
        o.addProperty("mean_image_mse", round(meanImageMse, 6));
        o.addProperty("train_seconds", round(trainSeconds, 1));
        o.addProperty("threads", threads);
        o.addProperty("data", data);
        o.addProperty("ema", ema);
        if (levelNames.length > 1) {
            for (int l = 0; l < levelNames.length; l++) {
                o.addProperty("perplexity_" + levelNames[l], round(levelPerplexity[l], 2));
                o.addProperty("codebook_usage_" + levelNames[l], round(levelUsage[l], 4));
            }
        }
        return JsonUtils.GSON_PRETTY.toJson(o) + "\n";
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
