package org.vqvae.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How far our prior and its PyTorch replica part, started from the same weights on the same batch.
 *
 * @param variant which prior
 * @param maxAbsLogit largest logit magnitude (the replica's), the scale of the logit differences
 * @param maxLogitDiff largest absolute logit difference
 * @param lossOurs our step-1 loss
 * @param lossTheirs the replica's step-1 loss
 * @param grads per parameter (our names): gradient norms and differences
 * @param lossesOurs our losses before each Adam step and after the last
 * @param lossesTheirs the replica's, with {@code torch.optim.Adam}
 */
record PriorFidelity(String variant, double maxAbsLogit, double maxLogitDiff, double lossOurs, double lossTheirs,
        Map<String, Grad> grads, double[] lossesOurs, double[] lossesTheirs) {

    /**
     * One parameter's step-1 gradients.
     *
     * @param normOurs our gradient's norm
     * @param normTheirs the replica's
     * @param relDiff {@code |g_ours - g_theirs| / max(|g_theirs|, floor)}, where the floor is a
     *     thousandth of the model's largest gradient norm: the keys' bias has a zero gradient in
     *     exact arithmetic (a softmax ignores what is added to every score of a query), so both
     *     sides hold only rounding noise there, which is no difference between them
     */
    record Grad(double normOurs, double normTheirs, double relDiff) {

        /** Relative difference of the norms. */
        double relNormDiff() {
            return relative(normOurs - normTheirs, normTheirs);
        }
    }

    /**
     * Compares two sides.
     *
     * @param variant the prior's name
     * @param ours our side
     * @param theirs the replica's
     * @return the comparison
     */
    static PriorFidelity compare(String variant, PriorSide ours, PriorSide theirs) {
        if (ours.logits().length != theirs.logits().length) {
            throw new IllegalStateException(variant + ": " + ours.logits().length + " logits here, "
                    + theirs.logits().length + " in the replica");
        }
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < ours.logits().length; i++) {
            scale = Math.max(scale, Math.abs(theirs.logits()[i]));
            diff = Math.max(diff, Math.abs(ours.logits()[i] - theirs.logits()[i]));
        }
        if (!ours.grads().keySet().equals(theirs.grads().keySet())) {
            throw new IllegalStateException(variant + ": gradients by other names: " + ours.grads().keySet() + " vs "
                    + theirs.grads().keySet());
        }
        double floor = 1e-3 * theirs.grads().values().stream().mapToDouble(PriorFidelity::norm).max().orElse(0);
        Map<String, Grad> grads = new LinkedHashMap<>();
        ours.grads().forEach((name, g) -> {
            float[] t = theirs.grads().get(name);
            double no = 0;
            double nt = 0;
            double nd = 0;
            for (int i = 0; i < g.length; i++) {
                no += (double) g[i] * g[i];
                nt += (double) t[i] * t[i];
                nd += ((double) g[i] - t[i]) * ((double) g[i] - t[i]);
            }
            grads.put(name, new Grad(Math.sqrt(no), Math.sqrt(nt), relative(Math.sqrt(nd), Math.max(floor,
                    Math.sqrt(nt)))));
        });
        return new PriorFidelity(variant, scale, diff, ours.loss(), theirs.loss(), grads, ours.losses(),
                theirs.losses());
    }

    private static double norm(float[] a) {
        double s = 0;
        for (float x : a) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    private static double relative(double diff, double scale) {
        return diff == 0 ? 0 : Math.abs(diff) / scale;
    }

    /** Largest logit difference relative to the largest logit. */
    double relLogitDiff() {
        return relative(maxLogitDiff, maxAbsLogit);
    }

    /** Absolute step-1 loss difference. */
    double lossDiff() {
        return Math.abs(lossOurs - lossTheirs);
    }

    /** The parameter whose gradient differs most (relative difference). */
    Map.Entry<String, Grad> worstGrad() {
        return grads.entrySet().stream().max(Map.Entry.comparingByValue(
                java.util.Comparator.comparingDouble(Grad::relDiff))).orElseThrow();
    }

    /** Largest absolute difference of the losses along the Adam steps, ours vs the replica's. */
    double stepLossDiff() {
        double d = 0;
        for (int i = 0; i < lossesOurs.length; i++) {
            d = Math.max(d, Math.abs(lossesOurs[i] - lossesTheirs[i]));
        }
        return d;
    }

    /** Loss after the last step. */
    double finalLoss() {
        return lossesOurs[lossesOurs.length - 1];
    }

    /**
     * A few lines for people: the figures and, with {@code verbose}, every parameter's gradients.
     *
     * @param verbose list every parameter
     * @return the text
     */
    String report(boolean verbose) {
        StringBuilder s = new StringBuilder();
        Map.Entry<String, Grad> worst = worstGrad();
        int steps = lossesOurs.length - 1;
        s.append(String.format(Locale.ROOT, "%s%n  logits   max |diff| %.3g (max |logit| %.3g, relative %.3g)%n",
                variant, maxLogitDiff, maxAbsLogit, relLogitDiff()));
        s.append(String.format(Locale.ROOT, "  loss     ours %.9f replica %.9f |diff| %.3g%n", lossOurs, lossTheirs,
                lossDiff()));
        s.append(String.format(Locale.ROOT, "  grads    worst %s: relative diff %.3g, norms %.6g vs %.6g%n",
                worst.getKey(), worst.getValue().relDiff(), worst.getValue().normOurs(), worst.getValue().normTheirs()));
        s.append(String.format(Locale.ROOT, "  %d Adam   losses max |diff| %.3g; after: ours %.9f replica %.9f%n",
                steps, stepLossDiff(), finalLoss(), lossesTheirs[steps]));
        if (verbose) {
            grads.forEach((name, g) -> s.append(String.format(Locale.ROOT,
                    "    %-34s |g| %.6e vs %.6e  norm diff %.2e  diff %.2e%n", name, g.normOurs(), g.normTheirs(),
                    g.relNormDiff(), g.relDiff())));
        }
        return s.toString();
    }
}
