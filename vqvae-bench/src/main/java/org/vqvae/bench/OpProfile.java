package org.vqvae.bench;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operators of a libtorch profiler trace (the Chrome-trace JSON array that DJL's {@code
 * JniUtils.stopProfile} writes): per operator name the calls and the self time, the event's
 * duration less the durations of the events directly nested in it on the same thread, so that
 * {@code aten::matmul} is not charged for the {@code aten::mm} it calls.
 */
final class OpProfile {

    /**
     * One operator's totals.
     *
     * @param calls its events
     * @param selfMicros their self time, microseconds
     */
    record Op(long calls, double selfMicros) {}

    private record Event(String name, double start, double end) {}

    private final Map<String, Op> ops;
    private final double rootMicros;

    private OpProfile(Map<String, Op> ops, double rootMicros) {
        this.ops = ops;
        this.rootMicros = rootMicros;
    }

    /**
     * Reads a trace file.
     *
     * @param trace the JSON written by {@code JniUtils.stopProfile}
     * @return its operators
     * @throws IOException if it cannot be read
     */
    static OpProfile read(Path trace) throws IOException {
        try (Reader r = Files.newBufferedReader(trace)) {
            return of(JsonUtils.GSON.fromJson(r, JsonArray.class));
        }
    }

    /**
     * Totals a trace's complete ({@code "ph": "X"}) events; others are ignored.
     *
     * @param events the trace's events, in any order
     * @return its operators
     */
    static OpProfile of(JsonArray events) {
        Map<String, List<Event>> threads = new LinkedHashMap<>();
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("ph") || !"X".equals(o.get("ph").getAsString())) {
                continue;
            }
            double ts = o.get("ts").getAsDouble();
            String thread = (o.has("pid") ? o.get("pid").getAsString() : "") + "/"
                    + (o.has("tid") ? o.get("tid").getAsString() : "");
            threads.computeIfAbsent(thread, t -> new ArrayList<>())
                    .add(new Event(o.get("name").getAsString(), ts, ts + o.get("dur").getAsDouble()));
        }
        Map<String, long[]> calls = new HashMap<>();
        Map<String, Double> self = new HashMap<>();
        double roots = 0;
        for (List<Event> thread : threads.values()) {
            // a parent starts no later and ends no earlier than its children: by start, then longest first
            thread.sort(Comparator.comparingDouble(Event::start).thenComparing(Event::end, Comparator.reverseOrder()));
            Deque<Event> open = new ArrayDeque<>();
            for (Event e : thread) {
                while (!open.isEmpty() && open.peek().end() <= e.start()) {
                    open.pop();
                }
                double dur = e.end() - e.start();
                if (open.isEmpty()) {
                    roots += dur;
                } else {
                    self.merge(open.peek().name(), -dur, Double::sum);
                }
                self.merge(e.name(), dur, Double::sum);
                calls.computeIfAbsent(e.name(), n -> new long[1])[0]++;
                open.push(e);
            }
        }
        Map<String, Op> ops = new LinkedHashMap<>();
        self.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(s -> ops.put(s.getKey(), new Op(calls.get(s.getKey())[0], s.getValue())));
        return new OpProfile(ops, roots);
    }

    /**
     * Returns the operators.
     *
     * @return name to totals, largest self time first
     */
    Map<String, Op> ops() {
        return ops;
    }

    /**
     * Returns the time inside operators: the summed durations of the events nested in no other.
     *
     * @return microseconds (the sum of all self times)
     */
    double rootMicros() {
        return rootMicros;
    }
}
