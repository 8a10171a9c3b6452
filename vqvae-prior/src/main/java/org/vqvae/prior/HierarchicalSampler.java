package org.vqvae.prior;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.vqvae.core.model.CodeModel;

import java.util.List;

/**
 * Generates VQ-VAE-2 code maps top-down: the top level from its class-conditional prior, then each
 * level below from its prior conditioned on the codes just sampled above it, and decodes them.
 * Each level has its own temperature and top-k.
 */
public final class HierarchicalSampler {

    private final List<CodePrior> priors;
    private final List<PriorSampler> samplers;

    /**
     * Creates a sampler and checks that the priors fit together: the top one unconditioned, each
     * one below conditioned on the K and map size of the one above, all class-conditional ones on
     * the same classes.
     *
     * @param priors one per level, bottom first
     * @param temperatures one per level, bottom first
     * @param topKs one per level, bottom first (0 = all codes)
     * @param fast use the caching row evaluators
     */
    public HierarchicalSampler(List<CodePrior> priors, float[] temperatures, int[] topKs, boolean fast) {
        int levels = priors.size();
        if (levels < 1 || temperatures.length != levels || topKs.length != levels) {
            throw new IllegalArgumentException("one prior, temperature and top-k per level");
        }
        for (int l = 0; l < levels; l++) {
            CodePrior p = priors.get(l);
            if (p.classConditional() && priors.get(0).classConditional()
                    && p.numClasses() != priors.get(0).numClasses()) {
                throw new IllegalArgumentException("the priors were trained on different numbers of classes ("
                        + p.numClasses() + " and " + priors.get(0).numClasses() + ")");
            }
            if (l == levels - 1) {
                if (p.conditionCodes() != 0) {
                    throw new IllegalArgumentException("the top prior must not be conditioned on a code map: it is "
                            + "a lower level's prior");
                }
                continue;
            }
            CodePrior above = priors.get(l + 1);
            if (p.conditionCodes() == 0) {
                throw new IllegalArgumentException("the " + name(l, levels) + " prior is not conditioned on the level "
                        + "above: train it with train-prior --level " + name(l, levels) + " on a VQ-VAE-2's codes");
            }
            if (p.conditionCodes() != above.numCodes() || p.conditionHeight() != above.height()
                    || p.conditionWidth() != above.width()) {
                throw new IllegalArgumentException("the " + name(l, levels) + " prior is conditioned on " + p.conditionHeight()
                        + "x" + p.conditionWidth() + " maps of K=" + p.conditionCodes() + " but the prior above models "
                        + above.height() + "x" + above.width() + " maps of K=" + above.numCodes());
            }
        }
        this.priors = List.copyOf(priors);
        this.samplers = new java.util.ArrayList<>();
        for (int l = 0; l < levels; l++) {
            samplers.add(new PriorSampler(priors.get(l), temperatures[l], topKs[l], fast));
        }
    }

    /** The level names the CLI uses: bottom, middle (of three), top, else levelN. */
    private static String name(int level, int levels) {
        if (level == levels - 1) {
            return "top";
        }
        if (level == 0) {
            return "bottom";
        }
        return levels == 3 ? "middle" : "level" + level;
    }

    /**
     * Checks each prior models the code maps of its level of a model.
     *
     * @param model the VQ-VAE-2 (or VQ-VAE, with one prior)
     * @throws IllegalArgumentException naming the first mismatch
     */
    public void checkFits(CodeModel model) {
        if (model.levels() != priors.size()) {
            throw new IllegalArgumentException("the model has " + model.levels() + " code levels but "
                    + priors.size() + " priors were given");
        }
        for (int l = 0; l < priors.size(); l++) {
            CodePrior p = priors.get(l);
            int[] size = model.codeSize(l);
            if (p.numCodes() != model.numCodes(l) || p.height() != size[0] || p.width() != size[1]) {
                throw new IllegalArgumentException("the " + model.levelName(l) + " prior models " + p.height() + "x"
                        + p.width() + " maps of K=" + p.numCodes() + " but the model's " + model.levelName(l)
                        + " level has " + size[0] + "x" + size[1] + " maps of K=" + model.numCodes(l));
            }
        }
    }

    /**
     * Samples the code maps of every level, top first.
     *
     * @param classes the class of each sample
     * @param seed the random seed (level l uses {@code seed + l})
     * @param manager a manager for temporaries
     * @return {@code [level][sample][h * w]}, bottom level first
     */
    public long[][][] sample(long[] classes, long seed, NDManager manager) {
        int levels = priors.size();
        long[][][] codes = new long[levels][][];
        for (int l = levels - 1; l >= 0; l--) {
            codes[l] = samplers.get(l).sample(classes, l == levels - 1 ? null : codes[l + 1], seed + l, manager);
        }
        return codes;
    }

    /**
     * Samples the code maps of every level, top first, each map from random streams of its own
     * (level l of map s seeded by {@code seeds[s] + l}), so that a map does not depend on the
     * maps sampled beside it.
     *
     * @param classes the class of each sample
     * @param seeds each sample's random seed
     * @param manager a manager for temporaries
     * @return {@code [level][sample][h * w]}, bottom level first
     */
    public long[][][] sample(long[] classes, long[] seeds, NDManager manager) {
        int levels = priors.size();
        long[][][] codes = new long[levels][][];
        for (int l = levels - 1; l >= 0; l--) {
            long[] levelSeeds = new long[seeds.length];
            for (int s = 0; s < seeds.length; s++) {
                levelSeeds[s] = seeds[s] + l;
            }
            codes[l] = samplers.get(l).sample(classes, l == levels - 1 ? null : codes[l + 1], levelSeeds, manager);
        }
        return codes;
    }

    /**
     * Turns sampled codes into the arrays a model decodes.
     *
     * @param codes {@code [level][sample][h * w]}, bottom first
     * @param manager owner of the arrays
     * @return one {@code [N, h, w]} int64 array per level, bottom first
     */
    public NDList toArrays(long[][][] codes, NDManager manager) {
        NDList out = new NDList();
        for (int l = 0; l < codes.length; l++) {
            CodePrior p = priors.get(l);
            int n = codes[l].length;
            long[] flat = new long[n * p.height() * p.width()];
            for (int s = 0; s < n; s++) {
                System.arraycopy(codes[l][s], 0, flat, s * p.height() * p.width(), p.height() * p.width());
            }
            out.add(manager.create(flat, new Shape(n, p.height(), p.width())));
        }
        return out;
    }
}
