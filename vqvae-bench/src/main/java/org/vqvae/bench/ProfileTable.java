package org.vqvae.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One figure's profile table: the union of each side's top operators by self time, the rest of the
 * operators, the time outside operators and the wall time, each in milliseconds per operation of
 * the figure with its share of that side's wall time, so that each column adds up to the wall.
 */
final class ProfileTable {

    /** Operators taken from the top of each side. */
    static final int TOP = 8;

    private ProfileTable() {}

    /**
     * Renders the table.
     *
     * @param ours our profile
     * @param theirs PyTorch's, or null without one
     * @return the Markdown table, header included
     */
    static String markdown(FigureProfile ours, FigureProfile theirs) {
        Set<String> names = new LinkedHashSet<>(top(ours));
        if (theirs != null) {
            names.addAll(top(theirs));
        }
        List<String> sorted = new ArrayList<>(names);
        // the larger side's self time first (a side without the operator counts 0)
        sorted.sort((a, b) -> Double.compare(larger(ours, theirs, b), larger(ours, theirs, a)));
        StringBuilder md = new StringBuilder("| op | ours ms/call (share) | PyTorch ms/call (share) | calls ours/theirs |\n"
                + "| --- | ---: | ---: | ---: |\n");
        for (String name : sorted) {
            md.append("| `").append(name).append("` | ").append(cell(ours, self(ours, name))).append(" | ")
                    .append(cell(theirs, self(theirs, name))).append(" | ").append(calls(ours, name)).append('/')
                    .append(calls(theirs, name)).append(" |\n");
        }
        md.append("| other operators | ").append(cell(ours, rest(ours, sorted))).append(" | ")
                .append(cell(theirs, rest(theirs, sorted))).append(" | |\n");
        md.append("| outside operators | ").append(cell(ours, ours.outsideMs())).append(" | ")
                .append(cell(theirs, theirs == null ? Double.NaN : theirs.outsideMs())).append(" | |\n");
        md.append("| **wall** | **").append(BenchReport.fmt(ours.wallMs())).append("** | **")
                .append(BenchReport.fmt(theirs == null ? Double.NaN : theirs.wallMs())).append("** | |\n");
        return md.toString();
    }

    private static List<String> top(FigureProfile p) {
        return p.ops().keySet().stream().limit(TOP).toList();
    }

    private static double larger(FigureProfile ours, FigureProfile theirs, String name) {
        double a = self(ours, name);
        double b = self(theirs, name);
        return Math.max(Double.isNaN(a) ? 0 : a, Double.isNaN(b) ? 0 : b);
    }

    private static double self(FigureProfile p, String name) {
        FigureProfile.Op op = p == null ? null : p.ops().get(name);
        return op == null ? Double.NaN : op.selfMs();
    }

    private static double rest(FigureProfile p, List<String> shown) {
        if (p == null) {
            return Double.NaN;
        }
        return p.ops().entrySet().stream().filter(e -> !shown.contains(e.getKey()))
                .mapToDouble(e -> e.getValue().selfMs()).sum();
    }

    private static String cell(FigureProfile p, double ms) {
        if (p == null || Double.isNaN(ms)) {
            return "-";
        }
        return BenchReport.fmt(ms) + " (" + Math.round(100 * ms / p.wallMs()) + "%)";
    }

    private static String calls(FigureProfile p, String name) {
        FigureProfile.Op op = p == null ? null : p.ops().get(name);
        if (op == null) {
            return "-";
        }
        double c = op.calls();
        return c == Math.rint(c) ? Long.toString((long) c) : String.format(Locale.ROOT, "%.1f", c);
    }
}
