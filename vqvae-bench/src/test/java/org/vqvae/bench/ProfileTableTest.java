package org.vqvae.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.util.JsonUtils;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;

import java.util.List;

/** A profile table from made-up profiles: the union of the tops, the rest and outside summed, each column adding up. */
class ProfileTableTest {

    private static FigureProfile profile(double wall, Object... opCallsSelf) {
        JsonObject ops = new JsonObject();
        for (int i = 0; i < opCallsSelf.length; i += 3) {
            JsonObject op = new JsonObject();
            op.addProperty("calls", (Number) opCallsSelf[i + 1]);
            op.addProperty("self_ms", (Number) opCallsSelf[i + 2]);
            ops.add((String) opCallsSelf[i], op);
        }
        JsonObject o = new JsonObject();
        o.addProperty("wall_ms", wall);
        o.addProperty("iterations", 3);
        o.add("ops", ops);
        return FigureProfile.fromJson(JsonUtils.GSON.fromJson(o.toString(), JsonObject.class));
    }

    @Test
    void listsTheUnionOfBothTopsThenTheRestOutsideAndWall() {
        Object[] ours = new Object[3 * 10];
        for (int i = 0; i < 10; i++) { // op0 .. op9, 10 ms down to 1 ms: op8 and op9 fall out of our top 8
            ours[3 * i] = "aten::op" + i;
            ours[3 * i + 1] = 2;
            ours[3 * i + 2] = 10.0 - i;
        }
        FigureProfile a = profile(100, ours);
        FigureProfile b = profile(40, "aten::op9", 1.5, 30.0, "aten::only_theirs", 1, 4.0);
        assertEquals(100 - 55, a.outsideMs(), 1e-9);
        assertEquals(List.of("aten::op9", "aten::only_theirs"), List.copyOf(b.ops().keySet()));
        String md = ProfileTable.markdown(a, b);
        List<String> rows = md.lines().skip(2).toList();
        assertEquals("| `aten::op9` | 1.00 (1%) | 30.0 (75%) | 2/1.5 |", rows.get(0));
        assertEquals("| `aten::op0` | 10.0 (10%) | - | 2/- |", rows.get(1));
        assertTrue(rows.contains("| `aten::only_theirs` | - | 4.00 (10%) | -/1 |"), md);
        assertEquals(1 + 8 + 1 + 3, rows.size(), md);
        assertEquals("| other operators | 2.00 (2%) | 0.000 (0%) | |", rows.get(10));
        assertEquals("| outside operators | 45.0 (45%) | 6.00 (15%) | |", rows.get(11));
        assertEquals("| **wall** | **100** | **40.0** | |", rows.get(12));
    }
}
