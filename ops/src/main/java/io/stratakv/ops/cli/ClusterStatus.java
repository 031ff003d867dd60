package io.stratakv.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Human tables of the admin API's and the balancer's JSON (for {@code cluster status}, {@code keyspace}). */
final class ClusterStatus {

    private ClusterStatus() {
    }

    static void print(PrintStream out, String controllerUrl, JsonNode ctl, JsonNode nodes, String balancerUrl, JsonNode bal) {
        if (ctl != null) {
            JsonNode c = ctl.path("controller");
            out.println("controller " + c.path("id").asText("?") + " " + c.path("state").asText("?")
                    + " epoch " + c.path("epoch").asText("?") + "  (" + controllerUrl + ")");
        } else {
            out.println("controller (unreachable: " + controllerUrl + ")");
        }
        if (bal != null) {
            out.println("balancer   map generation " + bal.path("generation").asText("?")
                    + (bal.path("loaded").asBoolean(false) ? ", loaded" : ", NOT loaded yet") + "  (" + balancerUrl + ")");
        } else {
            out.println("balancer   (unreachable: " + balancerUrl + ")");
        }
        out.println();
        Map<String, JsonNode> balancerNodes = new HashMap<>();
        if (bal != null) {
            bal.path("nodes").forEach(n -> balancerNodes.put(n.path("id").asText(), n));
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"NODE", "ADDRESS", "STATE", "LIVE", "HEALTH", "REPLICAS", "LEADERS", "BALANCER SEES"});
        if (nodes != null) {
            for (JsonNode n : nodes.path("nodes")) {
                JsonNode b = balancerNodes.get(n.path("nodeId").asText());
                rows.add(new String[]{n.path("nodeId").asText(), n.path("host").asText() + ":" + n.path("dataPort").asText(),
                        n.path("state").asText(), n.path("live").asBoolean() ? "yes" : "no", n.path("health").asText(),
                        n.path("replicas").asText(), n.path("leaders").asText(), balancerView(b)});
            }
        } else {
            balancerNodes.values().forEach(b -> rows.add(new String[]{b.path("id").asText(),
                    b.path("host").asText() + ":" + b.path("dataPort").asText(), b.path("state").asText(),
                    b.path("live").asBoolean() ? "yes" : "no", "?", "?", "?", balancerView(b)}));
        }
        table(out, rows);
        JsonNode keyspaces = ctl != null ? ctl.path("keyspaces") : bal != null ? bal.path("keyspaces") : null;
        if (keyspaces != null) {
            out.println();
            keyspaces(out, keyspaces);
        }
        JsonNode partitions = ctl != null ? ctl.path("partitions") : bal != null ? bal.path("partitions") : null;
        if (partitions != null) {
            out.println();
            partitions(out, partitions, bal);
        }
    }

    private static String balancerView(JsonNode b) {
        if (b == null) {
            return "-";
        }
        return (b.path("live").asBoolean() ? "live" : "not live") + (b.path("suspect").asBoolean() ? ", suspect" : "")
                + ", in flight " + b.path("outstanding").asText("0");
    }

    static void keyspaces(PrintStream out, JsonNode list) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"KEYSPACE", "STATE", "PARTITIONS", "RF", "WRITE", "READ"});
        for (JsonNode k : list) {
            rows.add(new String[]{k.path("name").asText(), k.path("state").asText(), k.path("partitions").asText(),
                    k.path("replicationFactor").asText(), k.path("defaultWriteConsistency").asText(),
                    k.path("defaultReadConsistency").asText()});
        }
        table(out, rows);
    }

    /** Partitions by keyspace and id; with the balancer's view, whether it routes to each. */
    static void partitions(PrintStream out, JsonNode list, JsonNode bal) {
        Map<String, Boolean> routed = new HashMap<>();
        if (bal != null) {
            bal.path("partitions").forEach(p -> routed.put(p.path("keyspace").asText() + "/" + p.path("partitionId").asText(),
                    p.path("routed").asBoolean()));
        }
        List<JsonNode> ps = new ArrayList<>();
        list.forEach(ps::add);
        ps.sort((x, y) -> {
            int c = x.path("keyspace").asText().compareTo(y.path("keyspace").asText());
            return c != 0 ? c : Integer.compare(x.path("partitionId").asInt(), y.path("partitionId").asInt());
        });
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"PARTITION", "STATE", "LEADER", "EPOCH", "REPLICAS", "LEARNERS", "HASH RANGE", "ROUTED"});
        for (JsonNode p : ps) {
            String id = p.path("keyspace").asText() + "/" + p.path("partitionId").asText();
            Boolean r = routed.get(id);
            rows.add(new String[]{id, p.path("state").asText(), p.path("leader").isTextual() ? p.path("leader").asText() : "-",
                    p.path("leaderEpoch").asText(), join(p.path("replicas")), join(p.path("learners")),
                    hex(p.path("range").path("start")) + ".." + hex(p.path("range").path("end")),
                    r == null ? "-" : r ? "yes" : "no"});
        }
        table(out, rows);
    }

    private static String join(JsonNode arr) {
        List<String> s = new ArrayList<>();
        arr.forEach(n -> s.add(n.asText()));
        return s.isEmpty() ? "-" : String.join(",", s);
    }

    private static String hex(JsonNode n) {
        return n.isNumber() ? String.format("%016x", n.asLong()) : n.asText("?");
    }

    /** Left-aligned columns two spaces apart. */
    static void table(PrintStream out, List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                sb.append(i == cols - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
