package io.stratakv.balancer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stratakv.balancer.FakeNode.Reply;
import io.stratakv.balancer.FakeNode.Seen;
import io.stratakv.zk.contract.ErrorCode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The node's batch and scan API over one in-memory sorted map, for fake nodes: every fake node of a
 * test may share it, since the partition of a key is computed from the test's current map
 * ({@code partitionOf}), so a split changes what each partition holds without moving data.
 * Pages hold at most {@code pageSize} entries, so scans cross page boundaries.
 */
final class FakeStore implements Function<Seen, Reply> {

    private static final ObjectMapper JSON = new ObjectMapper();

    final NavigableMap<byte[], byte[]> data = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    private final AtomicLong offsets = new AtomicLong();
    volatile ToIntFunction<byte[]> partitionOf;
    private final int pageSize;

    FakeStore(ToIntFunction<byte[]> partitionOf, int pageSize) {
        this.partitionOf = partitionOf;
        this.pageSize = pageSize;
    }

    @Override
    public Reply apply(Seen s) {
        try {
            if (s.method().equals("POST") && s.path().endsWith(":batchPut")) {
                return batchPut(s);
            }
            if (s.method().equals("POST") && s.path().endsWith(":batchGet")) {
                return batchGet(s);
            }
            if (s.method().equals("GET") && s.path().startsWith("/v1/scan/")) {
                return scan(s);
            }
            return Reply.error(ErrorCode.NOT_FOUND, Map.of(), Map.of());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Integer onePartition(JsonNode keys, Function<JsonNode, JsonNode> keyOf) throws IOException {
        Integer pid = null;
        for (JsonNode k : keys) {
            int p = partitionOf.applyAsInt(keyOf.apply(k).binaryValue());
            if (pid != null && pid != p) {
                return null;
            }
            pid = p;
        }
        return pid;
    }

    private Reply batchPut(Seen s) throws IOException {
        JsonNode items = JSON.readTree(s.body()).get("items");
        Integer pid = onePartition(items, i -> i.get("key"));
        if (pid == null) {
            return Reply.error(ErrorCode.INVALID_ARGUMENT, Map.of("reason", "keys_span_partitions"), Map.of());
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("partitionId", pid);
        out.put("epoch", 1);
        ArrayNode rs = out.putArray("results");
        long last = 0;
        for (JsonNode i : items) {
            byte[] key = i.get("key").binaryValue();
            last = offsets.incrementAndGet();
            if (i.path("delete").asBoolean(false)) {
                data.remove(key);
            } else {
                data.put(key, i.get("value").binaryValue());
            }
            ObjectNode r = rs.addObject();
            r.put("key", key);
            r.put("offset", last);
            r.put("status", "APPLIED");
            r.put("version", last);
            r.put("duplicate", false);
        }
        return new Reply(200, Map.of("Content-Type", "application/json", "X-Strata-Position", "1:" + last),
                JSON.writeValueAsBytes(out));
    }

    private Reply batchGet(Seen s) throws IOException {
        JsonNode keys = JSON.readTree(s.body()).get("keys");
        Integer pid = onePartition(keys, k -> k);
        if (pid == null) {
            return Reply.error(ErrorCode.INVALID_ARGUMENT, Map.of("reason", "keys_span_partitions"), Map.of());
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("partitionId", pid);
        ArrayNode rs = out.putArray("results");
        for (JsonNode k : keys) {
            byte[] key = k.binaryValue();
            byte[] v = data.get(key);
            ObjectNode r = rs.addObject();
            r.put("key", key);
            r.put("found", v != null);
            if (v != null) {
                r.put("value", v);
                r.put("version", 1);
            }
        }
        return new Reply(200, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(out));
    }

    /** As the node: getParameter-decoded, then percent-decoded again to bytes. */
    private static byte[] bound(String raw) {
        String once = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < once.length(); i++) {
            char c = once.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(once.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toByteArray();
    }

    private Reply scan(Seen s) throws IOException {
        Map<String, String> q = new HashMap<>();
        for (String pair : s.query().split("&")) {
            int eq = pair.indexOf('=');
            q.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        int pid = Integer.parseInt(q.get("partition"));
        byte[] from = q.containsKey("start") ? bound(q.get("start")) : null;
        byte[] to = q.containsKey("end") ? bound(q.get("end")) : null;
        if (q.containsKey("cursor")) {
            byte[] last = Base64.getUrlDecoder().decode(q.get("cursor"));
            byte[] after = Arrays.copyOf(last, last.length + 1);
            if (from == null || Arrays.compareUnsigned(after, from) > 0) {
                from = after;
            }
        }
        int limit = Math.min(pageSize, Integer.parseInt(q.get("limit")));
        NavigableMap<byte[], byte[]> range = from == null ? data : data.tailMap(from, true);
        ObjectNode out = JSON.createObjectNode();
        out.put("partitionId", pid);
        ArrayNode es = out.putArray("entries");
        byte[] lastKey = null;
        boolean more = false;
        for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
            if (to != null && Arrays.compareUnsigned(e.getKey(), to) >= 0) {
                break;
            }
            if (partitionOf.applyAsInt(e.getKey()) != pid) {
                continue;
            }
            if (es.size() == limit) {
                more = true;
                break;
            }
            ObjectNode o = es.addObject();
            o.put("key", e.getKey());
            o.put("value", e.getValue());
            o.put("version", 1);
            lastKey = e.getKey();
        }
        out.put("next", more ? Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey) : null);
        return new Reply(200, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(out));
    }
}
