package io.stratakv.node.resources;

import io.stratakv.node.config.LimitsFactory;
import io.stratakv.node.replica.Replica;
import io.stratakv.node.replica.ReplicaException;
import io.stratakv.node.replica.ReplicaManager;
import io.stratakv.storage.Mutation;
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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The node's data API for the partitions it holds, a plain servlet (DESIGN.md §6):
 * {@code PUT/GET/DELETE /v1/kv/{keyspace}/{key}} where key is the percent-encoded key bytes.
 *
 * <p>Parameters: {@code consistency} (writes ONE, QUORUM (default), ALL; reads STRONG (default),
 * EVENTUAL), {@code epoch} (the leader epoch the client believes; another one is refused),
 * {@code timeoutMs}, and the {@code X-Request-Id} header carried in the log entry. A write answers
 * 200 with {@code {"offset":…,"epoch":…}}; a read answers the value bytes with
 * {@code X-Strata-Commit} (and {@code X-Strata-Lag} for EVENTUAL). Errors are JSON ErrorBodies.
 */
public final class KvServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(KvServlet.class);
    private static final int MAX_REQUEST_ID_BYTES = 128;

    private final ReplicaManager manager;
    private final LimitsFactory limits;

    public KvServlet(ReplicaManager manager, LimitsFactory limits) {
        this.manager = manager;
        this.limits = limits;
    }

    private record Target(String keyspace, byte[] key, Replica replica, PartitionRecord record) {
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        handle(req, resp, () -> {
            Target t = target(req);
            long declared = req.getContentLengthLong();
            if (declared > limits.getMaxBodySize().toBytes()) {
                throw new ReplicaException(ErrorCode.BODY_TOO_LARGE, "body of " + declared + " bytes exceeds "
                        + limits.getMaxBodySize().toBytes());
            }
            byte[] value = readValue(req);
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
            ReadConsistency c = parse(req.getParameter("consistency"), ReadConsistency.class, ReadConsistency.DEFAULT);
            byte[] value;
            if (c == ReadConsistency.EVENTUAL) {
                value = t.replica().eventualRead(t.key());
                resp.setHeader("X-Strata-Lag", Long.toString(t.replica().status().lagRecords()));
            } else if (c == ReadConsistency.STRONG) {
                value = t.replica().strongRead(t.key(), epoch(req), deadline(req));
            } else {
                throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "consistency " + c + " is not served by the node yet");
            }
            resp.setHeader("X-Strata-Commit", Long.toString(t.replica().commitEnd()));
            if (value == null) {
                throw new ReplicaException(ErrorCode.KEY_NOT_FOUND, "no value for the key in " + t.keyspace());
            }
            resp.setStatus(200);
            resp.setContentType("application/octet-stream");
            resp.setContentLength(value.length);
            resp.getOutputStream().write(value);
        });
    }

    private void write(HttpServletRequest req, HttpServletResponse resp, Target t, Mutation m) throws IOException {
        WriteConsistency c = parse(req.getParameter("consistency"), WriteConsistency.class, WriteConsistency.DEFAULT);
        String rid = req.getHeader("X-Request-Id");
        if (rid != null) {
            byte[] id = rid.getBytes(StandardCharsets.UTF_8);
            if (id.length > MAX_REQUEST_ID_BYTES) {
                throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "X-Request-Id over " + MAX_REQUEST_ID_BYTES + " bytes");
            }
            m = m.withRequestId(id);
        }
        Replica.WriteResult w = t.replica().write(m, c, epoch(req), deadline(req));
        byte[] out = ("{\"offset\":" + w.offset() + ",\"epoch\":" + w.epoch() + "}").getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setContentLength(out.length);
        resp.getOutputStream().write(out);
    }

    private interface Action {
        void run() throws IOException;
    }

    private void handle(HttpServletRequest req, HttpServletResponse resp, Action a) throws IOException {
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

    private Target target(HttpServletRequest req) {
        String uri = req.getRequestURI();
        String prefix = req.getContextPath() + req.getServletPath() + "/";
        if (!uri.startsWith(prefix)) {
            throw new ReplicaException(ErrorCode.NOT_FOUND, "use /v1/kv/{keyspace}/{key}");
        }
        String rest = uri.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "use /v1/kv/{keyspace}/{key} with a non-empty key");
        }
        String ks = rest.substring(0, slash);
        if (!ZkNames.isValidName(ks)) {
            throw new ReplicaException(ErrorCode.INVALID_KEYSPACE_NAME, "keyspace '" + ks + "' is not a valid name");
        }
        String encodedKey = rest.substring(slash + 1);
        if (encodedKey.length() > 3L * limits.maxKeyBytes() + 3) {
            throw new ReplicaException(ErrorCode.KEY_TOO_LARGE, "key exceeds " + limits.maxKeyBytes() + " bytes");
        }
        byte[] key = percentDecode(encodedKey);
        if (key.length > limits.maxKeyBytes()) {
            throw new ReplicaException(ErrorCode.KEY_TOO_LARGE, "key of " + key.length + " bytes exceeds "
                    + limits.maxKeyBytes());
        }
        PartitionRecord rec = manager.route(ks, key).orElseThrow(() -> new ReplicaException(ErrorCode.KEYSPACE_NOT_FOUND,
                "keyspace " + ks + " has no partitions this node knows of"));
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
        return new Target(ks, key, replica, rec);
    }

    private byte[] readValue(HttpServletRequest req) throws IOException {
        int max = limits.maxValueBytes();
        try (InputStream in = req.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(16, Math.min(max, req.getContentLength())));
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > max) {
                    throw new ReplicaException(ErrorCode.VALUE_TOO_LARGE, "value exceeds " + max + " bytes");
                }
            }
            return out.toByteArray();
        }
    }

    private long epoch(HttpServletRequest req) {
        String e = req.getParameter("epoch");
        if (e == null) {
            return 0;
        }
        try {
            long v = Long.parseLong(e);
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException ex) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "epoch '" + e + "' must be a positive integer");
        }
    }

    private long deadline(HttpServletRequest req) {
        long ms = limits.getRequestTimeout().toMilliseconds();
        String t = req.getParameter("timeoutMs");
        if (t != null) {
            try {
                ms = Long.parseLong(t);
            } catch (NumberFormatException e) {
                ms = -1;
            }
            if (ms < 1 || ms > limits.getMaxRequestTimeout().toMilliseconds()) {
                throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "timeoutMs '" + t + "' must be 1.."
                        + limits.getMaxRequestTimeout().toMilliseconds());
            }
        }
        return System.nanoTime() + ms * 1_000_000L;
    }

    private static <E extends Enum<E>> E parse(String s, Class<E> type, E dflt) {
        if (s == null || s.isEmpty()) {
            return dflt;
        }
        try {
            return Enum.valueOf(type, s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "consistency '" + s + "' is not one of "
                    + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    /** RFC 3986 percent-decoding to raw bytes ('+' stays '+'). */
    static byte[] percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "bad percent-encoding in the key");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "bad percent-encoding in the key");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toByteArray();
    }
}
