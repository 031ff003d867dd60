package io.stratakv.node.resources;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stratakv.node.config.LimitsFactory;
import io.stratakv.node.replica.Replica;
import io.stratakv.node.replica.ReplicaException;
import io.stratakv.node.replica.ReplicaManager;
import io.stratakv.storage.ApplyOutcome;
import io.stratakv.storage.Mutation;
import io.stratakv.storage.VersionedValue;
import io.stratakv.zk.ZkNames;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.stratakv.node.resources.DataRequests.invalid;

/**
 * The node's data API for the partitions it holds, a plain servlet (DESIGN.md §6; node/README.md
 * documents every parameter, header and body): {@code PUT/GET/DELETE /v1/kv/{keyspace}/{key}}
 * (key: the percent-encoded key bytes) and {@code POST /v1/kv/{keyspace}:batchGet|:batchPut}.
 *
 * <p>A write answers once committed (QUORUM, ALL) with what applying it did: 200 with the key's new
 * version, or 412 PRECONDITION_FAILED with the version it had. Conditions and request ids are
 * decided at apply time on every replica (ENGINE.md), never here.
 */
public final class KvServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(KvServlet.class);

    private final ReplicaManager manager;
    private final DataRequests in;
    private final Map<WriteConsistency, Timer> writeTimers = new EnumMap<>(WriteConsistency.class);
    private final Map<ReadConsistency, Timer> readTimers = new EnumMap<>(ReadConsistency.class);

    public KvServlet(ReplicaManager manager, LimitsFactory limits, MetricRegistry metrics) {
        this.manager = manager;
        this.in = new DataRequests(limits);
        for (WriteConsistency c : WriteConsistency.values()) {
            writeTimers.put(c, metrics.timer(MetricRegistry.name("strata", "kv", "write", c.name())));
        }
        for (ReadConsistency c : ReadConsistency.values()) {
            readTimers.put(c, metrics.timer(MetricRegistry.name("strata", "kv", "read", c.name())));
        }
    }

    private record Target(String keyspace, byte[] key, Replica replica) {
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        handle(req, resp, () -> {
            Target t = target(req);
            byte[] value = in.body(req, in.limits().maxValueBytes(),
                    req.getContentLengthLong() > in.limits().getMaxBodySize().toBytes()
                            ? ErrorCode.BODY_TOO_LARGE : ErrorCode.VALUE_TOO_LARGE);
            write(req, resp, t, Mutation.put(t.key(), value));
        });
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        handle(req, resp, () -> {
            Target t = target(req);
            write(req, resp, t, Mutation.delete(t.key()));
        });
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        handle(req, resp, () -> {
            Target t = target(req);
            ReadConsistency c = DataRequests.parse(req.getParameter("consistency"), ReadConsistency.class,
                    ReadConsistency.DEFAULT);
            VersionedValue v;
            try (Timer.Context ignored = readTimers.get(c).time()) {
                v = read(req, c, t.replica(), List.of(t.key())).getFirst();
            }
            DataRequests.setStaleness(resp, t.replica());
            resp.setHeader("X-Strata-Commit", Long.toString(t.replica().commitEnd()));
            if (c == ReadConsistency.EVENTUAL) {
                resp.setHeader("X-Strata-Lag", Long.toString(t.replica().status().lagRecords()));
            }
            if (v == null) {
                throw new ReplicaException(ErrorCode.KEY_NOT_FOUND, "no value for the key in " + t.keyspace());
            }
            resp.setHeader(DataRequests.VERSION, Long.toString(v.version()));
            resp.setStatus(200);
            resp.setContentType("application/octet-stream");
            resp.setContentLength(v.value().length);
            resp.getOutputStream().write(v.value());
        });
    }

    /** The keys' values read at consistency c (one confirmation or wait for all of them). */
    private List<VersionedValue> read(HttpServletRequest req, ReadConsistency c, Replica r, List<byte[]> keys) {
        List<VersionedValue> out = new ArrayList<>(keys.size());
        switch (c) {
            case STRONG -> r.confirmLeadership(in.epoch(req), in.deadline(req));
            case SESSION -> r.awaitApplied(DataRequests.position(req),
                    r.view().state() == io.stratakv.node.replica.ReplicaState.LEADER ? in.deadline(req)
                            : Math.min(in.deadline(req), System.nanoTime() + DataRequests.SESSION_FOLLOWER_WAIT_NANOS));
            case EVENTUAL -> {
            }
        }
        for (byte[] k : keys) {
            out.add(r.eventualRead(k)); // after the step above, the local applied state is the answer
        }
        return out;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        handle(req, resp, () -> {
            String rest = rest(req);
            int colon = rest.lastIndexOf(':');
            String op = colon < 0 ? "" : rest.substring(colon + 1);
            String ks = colon < 0 ? rest : rest.substring(0, colon);
            checkKeyspace(ks);
            switch (op) {
                case "batchGet" -> batchGet(req, resp, ks);
                case "batchPut" -> batchPut(req, resp, ks);
                default -> throw new ReplicaException(ErrorCode.NOT_FOUND, "use POST /v1/kv/{keyspace}:batchGet or :batchPut");
            }
        });
    }

    private void write(HttpServletRequest req, HttpServletResponse resp, Target t, Mutation m) throws IOException {
        WriteConsistency c = DataRequests.parse(req.getParameter("consistency"), WriteConsistency.class,
                WriteConsistency.DEFAULT);
        m = withCondition(m, DataRequests.ifVersion(req), c);
        byte[] id = DataRequests.requestId(req);
        if (id != null) {
            m = m.withRequestId(id);
        }
        Replica.WriteResult w;
        try (Timer.Context ignored = writeTimers.get(c).time()) {
            w = t.replica().write(m, c, in.epoch(req), in.deadline(req));
        }
        DataRequests.setPosition(resp, w);
        ApplyOutcome o = w.outcome();
        if (o != null && o.status() == ApplyOutcome.Status.PRECONDITION_FAILED) {
            throw preconditionFailed(o);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("offset", w.offset());
        body.put("epoch", w.epoch());
        if (o != null) {
            resp.setHeader(DataRequests.VERSION, Long.toString(o.version()));
            body.put("version", o.version());
            body.put("duplicate", o.duplicate());
            body.put("originalOffset", o.offset());
        }
        DataRequests.sendJson(resp, 200, body);
    }

    private static Mutation withCondition(Mutation m, long ifVersion, WriteConsistency c) {
        if (ifVersion < 0) {
            return m;
        }
        if (c == WriteConsistency.ONE) {
            throw invalid("condition_needs_commit", "ifVersion needs consistency QUORUM or ALL: a condition's "
                    + "outcome is known only once the write is committed and applied");
        }
        return m.ifVersion(ifVersion);
    }

    private static ReplicaException preconditionFailed(ApplyOutcome o) {
        return new ReplicaException(ErrorCode.PRECONDITION_FAILED, "the key's version was " + o.version()
                + (o.version() == 0 ? " (absent)" : "") + ", not the expected one; nothing was applied",
                Map.of("currentVersion", Long.toString(o.version()), "offset", Long.toString(o.offset()),
                        "duplicate", Boolean.toString(o.duplicate())));
    }

    // ------------------------------------------------------------------------------------ batches

    /** Routes every key; all must fall in one partition this node holds. */
    private Replica batchReplica(String ks, List<byte[]> keys) {
        if (keys.isEmpty()) {
            throw invalid("empty_batch", "a batch needs at least one key");
        }
        if (keys.size() > in.limits().getMaxBatchKeys()) {
            throw invalid("too_many_keys", keys.size() + " keys in one batch; at most " + in.limits().getMaxBatchKeys());
        }
        PartitionRecord first = null;
        for (byte[] k : keys) {
            in.checkKey(k);
            PartitionRecord rec = route(ks, k);
            if (first == null) {
                first = rec;
            } else if (rec.partitionId() != first.partitionId()) {
                throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "the keys of one batch must be in one partition; "
                        + "they span " + first.partitionId() + " and " + rec.partitionId(),
                        Map.of("reason", "keys_span_partitions"));
            }
        }
        return replicaFor(ks, first);
    }

    private static List<JsonNode> array(JsonNode body, String field) {
        JsonNode a = body.get(field);
        if (a == null || !a.isArray()) {
            throw invalid("bad_" + field, "'" + field + "' must be an array");
        }
        List<JsonNode> out = new ArrayList<>(a.size());
        a.forEach(out::add);
        return out;
    }

    private void batchGet(HttpServletRequest req, HttpServletResponse resp, String ks) throws IOException {
        List<byte[]> keys = new ArrayList<>();
        for (JsonNode k : array(in.jsonBody(req), "keys")) {
            if (!k.isTextual()) {
                throw invalid("bad_keys", "'keys' must hold base64 strings");
            }
            try {
                keys.add(k.binaryValue());
            } catch (IOException | IllegalArgumentException e) {
                throw invalid("bad_keys", "a key is not valid base64");
            }
        }
        Replica r = batchReplica(ks, keys);
        ReadConsistency c = DataRequests.parse(req.getParameter("consistency"), ReadConsistency.class,
                ReadConsistency.DEFAULT);
        List<VersionedValue> values;
        try (Timer.Context ignored = readTimers.get(c).time()) {
            values = read(req, c, r, keys);
        }
        ObjectNode out = ErrorResponses.JSON.createObjectNode();
        out.put("partitionId", r.partitionId());
        ArrayNode results = out.putArray("results");
        for (int i = 0; i < keys.size(); i++) {
            ObjectNode e = results.addObject();
            e.put("key", keys.get(i));
            VersionedValue v = values.get(i);
            e.put("found", v != null);
            if (v != null) {
                e.put("value", v.value());
                e.put("version", v.version());
            }
        }
        DataRequests.setStaleness(resp, r);
        DataRequests.sendJson(resp, 200, out);
    }

    private void batchPut(HttpServletRequest req, HttpServletResponse resp, String ks) throws IOException {
        WriteConsistency c = DataRequests.parse(req.getParameter("consistency"), WriteConsistency.class,
                WriteConsistency.DEFAULT);
        byte[] id = DataRequests.requestId(req);
        List<JsonNode> items = array(in.jsonBody(req), "items");
        List<byte[]> keys = new ArrayList<>(items.size());
        List<Mutation> ms = new ArrayList<>(items.size());
        for (JsonNode item : items) {
            if (!item.isObject()) {
                throw invalid("bad_items", "'items' must hold objects");
            }
            byte[] key = DataRequests.base64(item, "key");
            keys.add(key);
            boolean delete = item.path("delete").asBoolean(false);
            Mutation m;
            if (delete) {
                m = Mutation.delete(key);
            } else {
                byte[] value = DataRequests.base64(item, "value");
                if (value.length > in.limits().maxValueBytes()) {
                    throw new ReplicaException(ErrorCode.VALUE_TOO_LARGE, "value of item " + ms.size() + " has "
                            + value.length + " bytes; at most " + in.limits().maxValueBytes());
                }
                m = Mutation.put(key, value);
            }
            JsonNode iv = item.get("ifVersion");
            if (iv != null && !iv.isNull()) {
                if (!iv.canConvertToLong() || !iv.isIntegralNumber() || iv.asLong() < 0) {
                    throw invalid("bad_if_version", "ifVersion of item " + ms.size() + " must be a non-negative integer");
                }
                m = withCondition(m, iv.asLong(), c);
            }
            if (id != null) {
                // Each item its own id, so a retried batch applies each item once.
                m = m.withRequestId((new String(id, StandardCharsets.UTF_8) + "#" + ms.size()).getBytes(StandardCharsets.UTF_8));
            }
            ms.add(m);
        }
        Replica r = batchReplica(ks, keys);
        List<Replica.WriteResult> ws;
        try (Timer.Context ignored = writeTimers.get(c).time()) {
            ws = r.writeAll(ms, c, in.epoch(req), in.deadline(req));
        }
        ObjectNode out = ErrorResponses.JSON.createObjectNode();
        out.put("partitionId", r.partitionId());
        ArrayNode results = out.putArray("results");
        for (int i = 0; i < ws.size(); i++) {
            Replica.WriteResult w = ws.get(i);
            ObjectNode e = results.addObject();
            e.put("key", keys.get(i));
            e.put("offset", w.offset());
            ApplyOutcome o = w.outcome();
            e.put("status", o == null ? "ACCEPTED" : o.status().name());
            if (o != null) {
                e.put("version", o.version());
                e.put("duplicate", o.duplicate());
            }
        }
        Replica.WriteResult last = ws.getLast();
        out.put("epoch", last.epoch());
        DataRequests.setPosition(resp, last);
        DataRequests.sendJson(resp, 200, out);
    }

    // ------------------------------------------------------------------------------------ routing

    interface Action {
        void run() throws IOException;
    }

    static void handle(HttpServletRequest req, HttpServletResponse resp, Action a) throws IOException {
        try {
            a.run();
        } catch (RuntimeException e) {
            var body = ErrorResponses.of(e);
            if (body.code() == ErrorCode.INTERNAL) {
                LOG.error("{} {} failed", req.getMethod(), req.getRequestURI(), e);
            }
            ErrorResponses.send(resp, body);
        }
    }

    private static String rest(HttpServletRequest req) {
        String uri = req.getRequestURI();
        String prefix = req.getContextPath() + req.getServletPath() + "/";
        if (!uri.startsWith(prefix)) {
            throw new ReplicaException(ErrorCode.NOT_FOUND, "use /v1/kv/{keyspace}/{key}");
        }
        return uri.substring(prefix.length());
    }

    static void checkKeyspace(String ks) {
        if (!ZkNames.isValidName(ks)) {
            throw new ReplicaException(ErrorCode.INVALID_KEYSPACE_NAME, "keyspace '" + ks + "' is not a valid name");
        }
    }

    private Target target(HttpServletRequest req) {
        String rest = rest(req);
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "use /v1/kv/{keyspace}/{key} with a non-empty key");
        }
        String ks = rest.substring(0, slash);
        checkKeyspace(ks);
        String encodedKey = rest.substring(slash + 1);
        if (encodedKey.length() > 3L * in.limits().maxKeyBytes() + 3) {
            throw new ReplicaException(ErrorCode.KEY_TOO_LARGE, "key exceeds " + in.limits().maxKeyBytes() + " bytes");
        }
        byte[] key = DataRequests.percentDecode(encodedKey);
        in.checkKey(key);
        return new Target(ks, key, replicaFor(ks, route(ks, key)));
    }

    private PartitionRecord route(String ks, byte[] key) {
        return manager.route(ks, key).orElseThrow(() -> new ReplicaException(ErrorCode.KEYSPACE_NOT_FOUND,
                "keyspace " + ks + " has no partitions this node knows of"));
    }

    private Replica replicaFor(String ks, PartitionRecord rec) {
        Replica replica = manager.replica(ks, rec.partitionId()).orElse(null);
        if (replica == null) {
            if (rec.leader().isEmpty()) {
                throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "partition " + ks + "/" + rec.partitionId()
                        + " has no leader now");
            }
            throw new ReplicaException(ErrorCode.NOT_LEADER, "this node holds no replica of " + ks + "/" + rec.partitionId(),
                    Map.of("leader", rec.leader().get(), "leaderEpoch", Long.toString(rec.leaderEpoch()),
                            "partitionId", Integer.toString(rec.partitionId())));
        }
        return replica;
    }
}
