package org.vqvae.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.JsonUtils;

import com.google.gson.JsonArray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/** Self times of a hand-written trace worked out by hand, and a real libtorch trace read back. */
class OpProfileTest {

    private static String event(String name, double ts, double dur, int tid) {
        return "{\"name\": \"" + name + "\", \"ph\": \"X\", \"ts\": " + ts + ", \"dur\": " + dur + ", \"tid\": " + tid
                + ", \"pid\": \"CPU Functions\", \"shape\": [[2, 2]], \"args\": {}}";
    }

    @Test
    void selfTimeIsDurationLessDirectChildrenOnTheSameThread() {
        // thread 1: matmul [0, 100] > mm [10, 90] > resolve_conj [20, 30]; then sum [100, 150] > fill_ [120, 130]
        // thread 2: mm [5, 45] and add [50, 60], overlapping thread 1 in time but nested in nothing
        // children come before their parents, as libtorch writes them; the instant event is ignored
        String trace = "[" + String.join(",", event("aten::resolve_conj", 20, 10, 1), event("aten::mm", 10, 80, 1),
                event("aten::matmul", 0, 100, 1), event("aten::fill_", 120, 10, 1), event("aten::sum", 100, 50, 1),
                event("aten::mm", 5, 40, 2), event("aten::add", 50, 10, 2),
                "{\"name\": \"marker\", \"ph\": \"i\", \"ts\": 1, \"tid\": 1, \"pid\": \"CPU Functions\"}") + "]";
        OpProfile p = OpProfile.of(JsonUtils.GSON.fromJson(trace, JsonArray.class));
        Map<String, OpProfile.Op> ops = p.ops();
        assertEquals(new OpProfile.Op(2, 70 + 40), ops.get("aten::mm"));
        assertEquals(new OpProfile.Op(1, 20), ops.get("aten::matmul"));
        assertEquals(new OpProfile.Op(1, 10), ops.get("aten::resolve_conj"));
        assertEquals(new OpProfile.Op(1, 40), ops.get("aten::sum"));
        assertEquals(new OpProfile.Op(1, 10), ops.get("aten::fill_"));
        assertEquals(new OpProfile.Op(1, 10), ops.get("aten::add"));
        assertEquals(6, ops.size());
        assertEquals("aten::mm", ops.keySet().iterator().next());
        assertEquals(100 + 50 + 40 + 10, p.rootMicros(), 1e-9);
        assertEquals(p.rootMicros(), ops.values().stream().mapToDouble(OpProfile.Op::selfMicros).sum(), 1e-9);
    }

    @Test
    void readsTheTraceThatLibtorchWrites(@TempDir Path dir) throws Exception {
        Engine.getEngine("PyTorch");
        Path trace = dir.resolve("trace.json");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(128, 128));
            JniUtils.startProfile(false, true, false);
            x.matMul(x).sum().getFloat();
            JniUtils.stopProfile(trace.toString());
        }
        OpProfile p = OpProfile.read(trace);
        OpProfile.Op mm = p.ops().get("aten::mm");
        assertTrue(mm != null && mm.calls() == 1 && mm.selfMicros() > 0, "aten::mm in " + p.ops());
        assertTrue(p.ops().get("aten::matmul").selfMicros() < p.rootMicros(), "matmul is not charged for mm");
        assertEquals(p.rootMicros(), p.ops().values().stream().mapToDouble(OpProfile.Op::selfMicros).sum(), 1e-6);
    }
}
