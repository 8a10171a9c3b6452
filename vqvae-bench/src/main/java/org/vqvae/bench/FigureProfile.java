package org.vqvae.bench;

import com.google.gson.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One side's profile of one figure, per operation of the figure (one training step, one batch
 * encoded): the wall time and, per operator, its calls and self time. The JSON form is what {@code
 * torch_bench.py --profile} prints and {@code profile.json} holds for both sides.
 *
 * @param wallMs wall milliseconds per operation, profiler on
 * @param iterations operations profiled
 * @param ops operator name to its calls and self time per operation, largest self time first
 */
record FigureProfile(double wallMs, int iterations, Map<String, Op> ops) {

    /**
     * One operator per operation of the figure.
     *
     * @param calls its calls
     * @param selfMs its self time, milliseconds
     */
    record Op(double calls, double selfMs) {}

    /**
     * Divides a trace's totals by the operations it covers.
     *
     * @param trace the profile of {@code iterations} operations
     * @param wallMs their wall time in all, milliseconds
     * @param iterations the operations
     * @return the profile per operation
     */
    static FigureProfile perOperation(OpProfile trace, double wallMs, int iterations) {
        Map<String, Op> ops = new LinkedHashMap<>();
        trace.ops().forEach((name, op) ->
                ops.put(name, new Op((double) op.calls() / iterations, op.selfMicros() / 1000 / iterations)));
        return new FigureProfile(wallMs / iterations, iterations, ops);
    }

    /**
     * Reads the JSON form.
     *
     * @param o {@code {"wall_ms": ..., "iterations": ..., "ops": {name: {"calls": ..., "self_ms": ...}}}}
     * @return the profile, operators sorted by self time
     */
    static FigureProfile fromJson(JsonObject o) {
        Map<String, Op> ops = new LinkedHashMap<>();
        o.getAsJsonObject("ops").entrySet().stream()
                .map(e -> Map.entry(e.getKey(), new Op(e.getValue().getAsJsonObject().get("calls").getAsDouble(),
                        e.getValue().getAsJsonObject().get("self_ms").getAsDouble())))
                .sorted((a, b) -> Double.compare(b.getValue().selfMs(), a.getValue().selfMs()))
                .forEach(e -> ops.put(e.getKey(), e.getValue()));
        return new FigureProfile(o.get("wall_ms").getAsDouble(), o.get("iterations").getAsInt(), ops);
    }

    /**
     * Returns the JSON form.
     *
     * @return see {@link #fromJson}
     */
    JsonObject json() {
        JsonObject o = new JsonObject();
        o.addProperty("wall_ms", wallMs);
        o.addProperty("iterations", iterations);
        o.addProperty("outside_operators_ms", outsideMs());
        JsonObject all = new JsonObject();
        ops.forEach((name, op) -> {
            JsonObject j = new JsonObject();
            j.addProperty("calls", op.calls());
            j.addProperty("self_ms", op.selfMs());
            all.add(name, j);
        });
        o.add("ops", all);
        return o;
    }

    /**
     * Returns the time in no operator: wall less the operators' self times (Java, JNI and DJL on
     * our side; the Python interpreter on PyTorch's).
     *
     * @return milliseconds per operation
     */
    double outsideMs() {
        return wallMs - ops.values().stream().mapToDouble(Op::selfMs).sum();
    }
}
