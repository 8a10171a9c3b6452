package org.vqvae.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * How closely two trajectories agree: relative differences of the loss terms per step, of the
 * step-1 gradient norms per parameter, and of the parameters' updates after the first and last
 * step ({@code ||ours - theirs|| / ||theirs - initial||}: relative to how far a parameter moved,
 * since after one Adam step the parameters themselves barely differ from where they started).
 */
public final class Agreement {

    private Agreement() {}

    /**
     * Returns {@code |ours - theirs| / |theirs|} (0 when both are 0).
     *
     * @param ours our value
     * @param theirs PyTorch's value
     * @return the relative difference
     */
    public static double relative(double ours, double theirs) {
        double d = Math.abs(ours - theirs);
        return d == 0 ? 0 : d / Math.max(Math.abs(theirs), 1e-30);
    }

    /**
     * Returns the largest relative difference of a step's three loss terms.
     *
     * @param ours our trajectory
     * @param theirs PyTorch's
     * @param step the step, from 0
     * @return the worst relative difference
     */
    public static double terms(Trajectory ours, Trajectory theirs, int step) {
        Trajectory.Terms a = ours.steps().get(step);
        Trajectory.Terms b = theirs.steps().get(step);
        return Math.max(relative(a.loss(), b.loss()), Math.max(relative(a.recon(), b.recon()), relative(a.vq(), b.vq())));
    }

    /**
     * Returns the largest relative difference of the step-1 gradient norms.
     *
     * @param ours our trajectory
     * @param theirs PyTorch's
     * @return the worst relative difference over the parameters
     * @throws IllegalStateException if the two sides do not train the same parameters
     */
    public static double gradients(Trajectory ours, Trajectory theirs) {
        if (!ours.gradNorms().keySet().equals(theirs.gradNorms().keySet())) {
            throw new IllegalStateException("trained parameters differ: ours " + ours.gradNorms().keySet()
                    + ", PyTorch's " + theirs.gradNorms().keySet());
        }
        return worst(ours.gradNorms(), name -> relative(ours.gradNorms().get(name), theirs.gradNorms().get(name)))
                .getValue();
    }

    /**
     * Returns the first step whose loss terms differ by more than a threshold.
     *
     * @param ours our trajectory
     * @param theirs PyTorch's
     * @param threshold the relative difference that counts as parting
     * @return the step, from 1, or 0 when they never part
     */
    public static int parting(Trajectory ours, Trajectory theirs, double threshold) {
        for (int s = 0; s < Math.min(ours.steps().size(), theirs.steps().size()); s++) {
            if (terms(ours, theirs, s) > threshold) {
                return s + 1;
            }
        }
        return 0;
    }

    /**
     * The full comparison as JSON.
     *
     * @param ours our trajectory
     * @param theirs PyTorch's
     * @param threshold the relative difference that counts as parting
     * @return the report
     */
    public static JsonObject report(Trajectory ours, Trajectory theirs, double threshold) {
        JsonObject r = new JsonObject();
        int n = Math.min(ours.steps().size(), theirs.steps().size());
        r.addProperty("steps", n);
        r.addProperty("parting_threshold", threshold);
        r.addProperty("first_parting_step", parting(ours, theirs, threshold));
        r.addProperty("step1_terms_rel", round(terms(ours, theirs, 0)));
        r.addProperty("last_step_terms_rel", round(terms(ours, theirs, n - 1)));
        var g = worst(ours.gradNorms(), name -> relative(ours.gradNorms().get(name), theirs.gradNorms().get(name)));
        r.addProperty("step1_grad_norm_rel_max", round(gradients(ours, theirs)));
        r.addProperty("step1_grad_norm_worst", g.getKey());
        r.add("update_after_1", updates(ours.afterFirst(), theirs.afterFirst(), theirs.initial()));
        r.add("update_after_" + n, updates(ours.afterLast(), theirs.afterLast(), theirs.initial()));
        JsonArray steps = new JsonArray();
        for (int s = 0; s < n; s++) {
            Trajectory.Terms a = ours.steps().get(s);
            Trajectory.Terms b = theirs.steps().get(s);
            JsonObject o = new JsonObject();
            o.addProperty("step", s + 1);
            o.addProperty("loss_ours", a.loss());
            o.addProperty("loss_torch", b.loss());
            o.addProperty("loss_rel", round(relative(a.loss(), b.loss())));
            o.addProperty("recon_rel", round(relative(a.recon(), b.recon())));
            o.addProperty("vq_rel", round(relative(a.vq(), b.vq())));
            steps.add(o);
        }
        r.add("per_step", steps);
        return r;
    }

    /**
     * Returns the worst relative difference of the parameters' first Adam step.
     *
     * @param ours our trajectory
     * @param theirs PyTorch's
     * @return {@code max ||ours - theirs|| / ||theirs - initial||} after step 1
     */
    public static double firstUpdate(Trajectory ours, Trajectory theirs) {
        return worstUpdate(ours.afterFirst(), theirs.afterFirst(), theirs.initial()).getValue();
    }

    /** Worst {@code ||ours - theirs|| / ||theirs - initial||} over the parameters. */
    private static JsonObject updates(Map<String, float[]> ours, Map<String, float[]> theirs, Map<String, float[]> initial) {
        var w = worstUpdate(ours, theirs, initial);
        JsonObject o = new JsonObject();
        o.addProperty("rel_max", round(w.getValue()));
        o.addProperty("worst", w.getKey());
        return o;
    }

    private static Map.Entry<String, Double> worstUpdate(Map<String, float[]> ours, Map<String, float[]> theirs,
            Map<String, float[]> initial) {
        return worst(theirs, name -> {
            double moved = distance(theirs.get(name), initial.get(name));
            return moved == 0 ? distance(ours.get(name), theirs.get(name)) : distance(ours.get(name), theirs.get(name)) / moved;
        });
    }

    private static Map.Entry<String, Double> worst(Map<String, ?> names, ToDoubleFunction<String> f) {
        String worst = null;
        double max = -1;
        for (String name : names.keySet()) {
            double v = f.applyAsDouble(name);
            if (!(v <= max)) { // NaN counts as worst
                worst = name;
                max = v;
            }
        }
        return Map.entry(worst == null ? "" : worst, max);
    }

    /**
     * Returns the L2 norm of an array.
     *
     * @param a the values
     * @return the norm
     */
    public static double norm(float[] a) {
        double s = 0;
        for (float v : a) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    private static double distance(float[] a, float[] b) {
        if (a == null || b == null || a.length != b.length) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Double.parseDouble(String.format(java.util.Locale.ROOT, "%.3g", v)) : v;
    }
}
