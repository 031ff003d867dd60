package io.stratakv.balancer.resources;

import com.codahale.metrics.Timer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stratakv.balancer.core.ClusterView;
import io.stratakv.balancer.core.KeyspaceRoutes;
import io.stratakv.balancer.routing.Answer;
import io.stratakv.balancer.routing.KvRequest;
import io.stratakv.balancer.routing.Router;
import io.stratakv.balancer.routing.SessionTokens;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.WriteConsistency;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * {@code POST /v1/kv:batchGet|:batchPut} (keyspace {@code default}) and
 * {@code /v1/kv/{keyspace}:batchGet|:batchPut}: the node's batch bodies, split by partition.
 *
 * <p>The items are grouped by the partition their key hashes to (order kept within a group); the
 * groups go to their nodes concurrently, each routed and retried like a single-key request
 * ({@link Router}); the answer lists every item in request order. Within a partition the node
 * applies a batch's writes in order, one log entry each, not atomically (node/README.md).
 *
 * <p><b>Request ids.</b> Group g, whose first item is item i of the request, carries request id
 * {@code <X-Request-Id>@i} (the node gives its j-th item {@code <that>#j}); a client id too long
 * for the suffix is first replaced by its SHA-256 (base64url). The same request retried with the same
 * X-Request-Id under the same partition map forms the same groups, so each item applies once. If a
 * partition splits between two attempts the groups differ and a retried item of it may apply twice
 * (balancer/README.md, "Known limits").
 *
 * <p><b>Map changes.</b> A node whose map is newer may refuse a group whose keys now span
 * partitions ({@code keys_span_partitions}; it applied nothing). Those items are grouped again on a
 * fresh map and sent again, within the deadline.
 *
 * <p><b>Answer.</b> 200 when every item succeeded; 207 when some did not: such an item carries
 * {@code "outcome"} ({@code FAILED}: not applied; {@code UNKNOWN}: may have been applied) and
 * {@code "error"} (the ErrorBody of its group). Shapes in balancer/README.md.
 */
public final class BatchServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(BatchServlet.class);
    private static final Set<String> OWN_PARAMETERS = Set.of("consistency", "timeoutMs");
    /** Longest suffix {@code @<index>} appended to a client's id. */
    private static final int SUFFIX_MAX = 12;

    private final PublicRequests in;
    private final Router router;
    private final RouteMetrics metrics;
    private final ExecutorService executor;

    BatchServlet(PublicRequests in, Router router, RouteMetrics metrics, ExecutorService executor) {
        this.in = in;
        this.router = router;
        this.metrics = metrics;
        this.executor = executor;
    }

    /** Mapped to {@code /v1/kv:batchGet} and {@code /v1/kv:batchPut} (keyspace default). */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getServletPath();
        serve(req, resp, PublicRequests.DEFAULT_KEYSPACE, path.substring(path.lastIndexOf(':') + 1));
    }

    /** One item of a batch as parsed: its key, and for a write the clean item to forward. */
    private record Item(byte[] key, JsonNode keyText, ObjectNode forward) {
    }

    private record Parsed(String route, boolean write, KeyspaceRoutes ks, String consistency, long deadline,
                          List<Item> items, String requestId, SessionTokens session) {
    }

    void serve(HttpServletRequest req, HttpServletResponse resp, String keyspace, String op) throws IOException {
        if (!op.equals("batchGet") && !op.equals("batchPut")) {
            ErrorResponses.send(resp, ErrorCode.NOT_FOUND, "no such operation ':" + op
                    + "'; use POST /v1/kv/{keyspace}:batchGet or :batchPut", Map.of());
            return;
        }
        if (!req.getMethod().equals("POST")) {
            resp.setHeader("Allow", "POST");
            ErrorResponses.send(resp, ErrorCode.INVALID_ARGUMENT, "use POST for :" + op, Map.of("reason", "bad_method"));
            return;
        }
        Answer a;
        try (Timer.Context ignored = metrics.time(op)) {
            a = answer(req, keyspace, op);
            metrics.outcome(op, ErrorResponses.outcome(a)); // before the answer leaves, so a client sees it counted
            ErrorResponses.send(resp, a);
        }
    }

    private Answer answer(HttpServletRequest req, String keyspace, String op) throws IOException {
        try {
            return run(parse(req, keyspace, op));
        } catch (RequestException e) {
            return Answer.error(e.code(), e.getMessage(), e.details());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.error(ErrorCode.PARTITION_UNAVAILABLE, "the balancer is shutting down");
        } catch (RuntimeException e) {
            LOG.error("POST {} failed", req.getRequestURI(), e);
            return Answer.error(ErrorCode.INTERNAL, e.toString());
        }
    }

    // ------------------------------------------------------------------------------ parsing

    private Parsed parse(HttpServletRequest req, String keyspace, String op) throws IOException {
        long start = System.nanoTime();
        boolean write = op.equals("batchPut");
        KeyspaceRoutes ks = in.keyspace(keyspace);
        Map<String, String> own = new LinkedHashMap<>();
        PercentCoding.splitQuery(req.getQueryString(), OWN_PARAMETERS, own);
        String consistency = PublicRequests.consistency(own.get("consistency"), write, ks);
        long deadline = in.deadline(start, own.get("timeoutMs"));
        String requestId = PublicRequests.requestId(req, write);
        SessionTokens session = write ? SessionTokens.NONE : PublicRequests.session(req);
        long maxBody = in.limits().getMaxBodySize().toBytes();
        byte[] raw = PublicRequests.readBody(req, maxBody, (int) Math.min(Integer.MAX_VALUE, maxBody), ErrorCode.BODY_TOO_LARGE);
        JsonNode body;
        try {
            body = ErrorResponses.JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw RequestException.invalid("bad_json", "the body is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw RequestException.invalid("bad_json", "the body must be a JSON object");
        }
        String field = write ? "items" : "keys";
        JsonNode array = body.get(field);
        if (array == null || !array.isArray()) {
            throw RequestException.invalid("bad_" + field, "'" + field + "' must be an array");
        }
        if (array.isEmpty()) {
            throw RequestException.invalid("empty_batch", "a batch needs at least one key");
        }
        if (array.size() > in.limits().getMaxBatchKeys()) {
            throw RequestException.invalid("too_many_keys", array.size() + " items in one batch; at most "
                    + in.limits().getMaxBatchKeys());
        }
        List<Item> items = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            items.add(write ? putItem(n, items.size(), consistency) : new Item(key(n, "bad_keys", items.size()), n, null));
        }
        return new Parsed(op, write, ks, consistency, deadline, items, requestId, session);
    }

    private byte[] key(JsonNode n, String reason, int index) {
        byte[] key = base64(n, reason, "key of item " + index);
        if (key.length == 0) {
            throw RequestException.invalid("empty_key", "key of item " + index + " is empty");
        }
        if (key.length > in.limits().maxKeyBytes()) {
            throw new RequestException(ErrorCode.KEY_TOO_LARGE, "key of item " + index + " has " + key.length
                    + " bytes; at most " + in.limits().maxKeyBytes());
        }
        return key;
    }

    private static byte[] base64(JsonNode n, String reason, String what) {
        if (n == null || !n.isTextual()) {
            throw RequestException.invalid(reason, what + " must be a base64 string");
        }
        try {
            return n.binaryValue();
        } catch (IOException | IllegalArgumentException e) {
            throw RequestException.invalid(reason, what + " is not valid base64");
        }
    }

    private Item putItem(JsonNode n, int index, String consistency) {
        if (!n.isObject()) {
            throw RequestException.invalid("bad_items", "'items' must hold objects");
        }
        JsonNode keyText = n.get("key");
        byte[] key = key(keyText, "bad_key", index);
        ObjectNode fwd = ErrorResponses.JSON.createObjectNode();
        fwd.set("key", keyText);
        JsonNode del = n.get("delete");
        if (del != null && !del.isNull() && !del.isBoolean()) {
            throw RequestException.invalid("bad_items", "'delete' of item " + index + " must be true or false");
        }
        if (del != null && del.asBoolean(false)) {
            fwd.put("delete", true);
        } else {
            JsonNode v = n.get("value");
            byte[] value = base64(v, "bad_value", "value of item " + index);
            if (value.length > in.limits().maxValueBytes()) {
                throw new RequestException(ErrorCode.VALUE_TOO_LARGE, "value of item " + index + " has " + value.length
                        + " bytes; at most " + in.limits().maxValueBytes());
            }
            fwd.set("value", v);
        }
        JsonNode iv = n.get("ifVersion");
        if (iv != null && !iv.isNull()) {
            if (!iv.isIntegralNumber() || !iv.canConvertToLong() || iv.asLong() < 0) {
                throw RequestException.invalid("bad_if_version", "ifVersion of item " + index
                        + " must be a non-negative integer");
            }
            if (consistency.equals(WriteConsistency.ONE.name())) {
                throw RequestException.invalid("condition_needs_commit", "ifVersion needs consistency QUORUM or ALL");
            }
            fwd.put("ifVersion", iv.asLong());
        }
        return new Item(key, keyText, fwd);
    }

    // ------------------------------------------------------------------------------ running

    private record Group(int partitionId, List<Integer> indices) {
    }

    private Answer run(Parsed p) throws InterruptedException {
        ObjectNode[] results = new ObjectNode[p.items().size()];
        Map<Integer, String> positions = new TreeMap<>();
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            pending.add(i);
        }
        int failed = 0;
        int unknown = 0;
        while (!pending.isEmpty()) {
            ClusterView view = router.map().view();
            List<Group> groups = group(p, view, pending);
            pending = new ArrayList<>();
            List<Future<Answer>> answers = new ArrayList<>(groups.size());
            for (Group g : groups) {
                KvRequest r = subRequest(p, g);
                answers.add(executor.submit(() -> router.route(r)));
            }
            boolean respread = false;
            for (int gi = 0; gi < groups.size(); gi++) {
                Group g = groups.get(gi);
                Answer a = await(answers.get(gi));
                if (a.status() == 200) {
                    accept(p, g, a, results, positions);
                    continue;
                }
                ErrorBody err = errorOf(a);
                boolean spanned = err.code() == ErrorCode.INVALID_ARGUMENT
                        && "keys_span_partitions".equals(err.details().get("reason"));
                if (spanned && System.nanoTime() - p.deadline() < 0) {
                    pending.addAll(g.indices()); // nothing applied: group again on a newer map
                    respread = true;
                    continue;
                }
                boolean mayHaveApplied = p.write() && (err.code() == ErrorCode.TIMEOUT_UNKNOWN_OUTCOME
                        || err.code() == ErrorCode.REPLICATION_INCOMPLETE);
                for (int i : g.indices()) {
                    ObjectNode o = ErrorResponses.JSON.createObjectNode();
                    o.set("key", p.items().get(i).keyText());
                    o.put("partition", g.partitionId());
                    o.put("outcome", mayHaveApplied ? "UNKNOWN" : "FAILED");
                    o.set("error", ErrorResponses.JSON.valueToTree(err));
                    results[i] = o;
                }
                if (mayHaveApplied) {
                    unknown += g.indices().size();
                } else {
                    failed += g.indices().size();
                }
            }
            if (respread) {
                pending.sort(null);
                router.map().awaitChange(view.generation(), Duration.ofMillis(Math.max(1,
                        Math.min(200, (p.deadline() - System.nanoTime()) / 1_000_000))));
            }
        }
        ObjectNode out = ErrorResponses.JSON.createObjectNode();
        ArrayNode arr = out.putArray("results");
        for (ObjectNode o : results) {
            arr.add(o);
        }
        out.put("failed", failed);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Strata-Consistency", p.consistency());
        if (p.write()) {
            out.put("unknown", unknown);
            ObjectNode pos = out.putObject("positions");
            positions.forEach((pid, v) -> pos.put(Integer.toString(pid), v));
            if (!positions.isEmpty()) {
                headers.put(PublicRequests.SESSION_HEADER, SessionTokens.format(positions));
            }
            headers.put("X-Request-Id", p.requestId());
        }
        byte[] bytes;
        try {
            bytes = ErrorResponses.JSON.writeValueAsBytes(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new Answer(failed + unknown == 0 ? 200 : 207, headers, "application/json", bytes, null);
    }

    private static List<Group> group(Parsed p, ClusterView view, List<Integer> indices) {
        KeyspaceRoutes ks = view.keyspace(p.ks().keyspace().name()).orElse(p.ks());
        Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
        for (int i : indices) {
            int pid = ks.partitionFor(p.items().get(i).key()).map(PartitionRecord::partitionId).orElse(-1);
            byPartition.computeIfAbsent(pid, k -> new ArrayList<>()).add(i);
        }
        List<Group> out = new ArrayList<>();
        byPartition.forEach((pid, idx) -> out.add(new Group(pid, idx)));
        return out;
    }

    private KvRequest subRequest(Parsed p, Group g) {
        ObjectNode body = ErrorResponses.JSON.createObjectNode();
        ArrayNode arr = body.putArray(p.write() ? "items" : "keys");
        for (int i : g.indices()) {
            Item it = p.items().get(i);
            arr.add(p.write() ? it.forward() : it.keyText());
        }
        byte[] bytes;
        try {
            bytes = ErrorResponses.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String ks = p.ks().keyspace().name();
        String id = p.write() ? subRequestId(p.requestId(), g.indices().getFirst()) : null;
        return new KvRequest(p.route(), "POST", p.write(), ks, p.items().get(g.indices().getFirst()).key(), -1,
                "/v1/kv/" + ks + ":" + p.route(), p.consistency(), "", Map.of(), bytes, null, id, p.session(),
                false, p.deadline());
    }

    /** {@code <clientId>@<firstIndex>}, the client id replaced by its SHA-256 if the whole would pass 128 bytes. */
    static String subRequestId(String clientId, int firstIndex) {
        String base = clientId;
        if (base.getBytes(StandardCharsets.UTF_8).length > PublicRequests.MAX_REQUEST_ID_BYTES - SUFFIX_MAX) {
            try {
                base = Base64.getUrlEncoder().withoutPadding().encodeToString(
                        MessageDigest.getInstance("SHA-256").digest(base.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return base + "@" + firstIndex;
    }

    private static void accept(Parsed p, Group g, Answer a, ObjectNode[] results, Map<Integer, String> positions) {
        JsonNode body;
        try {
            body = ErrorResponses.JSON.readTree(a.body());
        } catch (IOException e) {
            body = null;
        }
        JsonNode rs = body == null ? null : body.get("results");
        String epoch = a.headers().get("X-Strata-Epoch");
        for (int j = 0; j < g.indices().size(); j++) {
            int i = g.indices().get(j);
            JsonNode r = rs == null ? null : rs.get(j);
            ObjectNode o = r != null && r.isObject() ? ((ObjectNode) r).deepCopy() : ErrorResponses.JSON.createObjectNode();
            if (r == null) { // a node answer without the item: cannot happen with a well-behaved node
                o.set("key", p.items().get(i).keyText());
                o.put("outcome", p.write() ? "UNKNOWN" : "FAILED");
                o.set("error", ErrorResponses.JSON.valueToTree(ErrorBody.of(ErrorCode.INTERNAL,
                        "the node's answer did not list this item")));
            }
            o.put("partition", g.partitionId());
            if (p.write() && body != null && body.has("epoch")) {
                o.set("epoch", body.get("epoch"));
            } else if (epoch != null) {
                o.put("epoch", Long.parseLong(epoch));
            }
            results[i] = o;
        }
        String pos = a.headers().get("x-strata-position");
        if (p.write() && pos != null) {
            positions.put(g.partitionId(), pos);
        }
    }

    static ErrorBody errorOf(Answer a) {
        if (a.error() != null) {
            return a.error();
        }
        try {
            ErrorBody e = ErrorResponses.JSON.readValue(a.body(), ErrorBody.class);
            if (e != null) {
                return e;
            }
        } catch (IOException | RuntimeException ignored) {
            // not our shape: describe it below
        }
        return new ErrorBody(a.status() == 504 ? ErrorCode.TIMEOUT_UNKNOWN_OUTCOME : ErrorCode.INTERNAL,
                "the node answered HTTP " + a.status() + " without an error body", a.status() >= 500, Map.of());
    }

    private static Answer await(Future<Answer> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            LOG.error("a sub-batch failed", c);
            return Answer.error(ErrorCode.INTERNAL, String.valueOf(c));
        }
    }
}
