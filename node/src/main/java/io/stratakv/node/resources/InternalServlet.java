package io.stratakv.node.resources;

import io.stratakv.node.replica.Replica;
import io.stratakv.node.replica.ReplicaException;
import io.stratakv.node.replica.ReplicaManager;
import io.stratakv.node.replica.SnapshotSource;
import io.stratakv.node.replication.SnapshotStream;
import io.stratakv.zk.contract.TransferLeadershipRequest;
import io.stratakv.node.replication.FetchRequest;
import io.stratakv.node.replication.ReplicationClient;
import io.stratakv.node.replication.ReplicationCodec;
import io.stratakv.node.replication.ReplicationCodec.EpochEndRequest;
import io.stratakv.node.replication.ReplicationCodec.MalformedReplicationMessage;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.contract.PartitionStatus;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The node's internal API under {@code /internal/v1}, a plain servlet (the fetch path is hot):
 * <ul>
 *   <li>{@code POST partitions/{ks}/{pid}/fetch} and {@code .../epoch-end}: binary (REPLICATION_FORMAT.md);</li>
 *   <li>{@code POST partitions/{ks}/{pid}/fence}: JSON FenceRequest → FenceResponse (the controller);</li>
 *   <li>{@code POST partitions/{ks}/{pid}/transfer}: JSON TransferLeadershipRequest → TransferLeadershipResponse
 *       (the controller's planned leadership transfer);</li>
 *   <li>{@code GET partitions/{ks}/{pid}/snapshot?epoch=&replica=}: the leader's snapshot stream (SNAPSHOT_FORMAT.md);</li>
 *   <li>{@code GET status}: JSON NodeStatus.</li>
 * </ul>
 * Errors are JSON ErrorBodies.
 */
public final class InternalServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(InternalServlet.class);
    /** Control bodies are small; this caps what a fence may send. */
    private static final int MAX_CONTROL_BODY = 64 << 10;

    private final ReplicaManager manager;
    private final String nodeId;
    private final LongSupplier incarnation;
    private volatile long newestControllerEpoch;

    public InternalServlet(ReplicaManager manager, String nodeId, LongSupplier incarnation) {
        this.manager = manager;
        this.nodeId = nodeId;
        this.incarnation = incarnation;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        String[] p = path.split("/");
        if (p.length == 5 && p[1].equals("partitions") && p[4].equals("snapshot")) {
            try {
                snapshot(p[2], partitionId(p[3]), req, resp);
            } catch (RuntimeException e) {
                ErrorBody body = ErrorResponses.of(e);
                if (body.code() == ErrorCode.INTERNAL) {
                    LOG.error("snapshot request {} failed", path, e);
                }
                ErrorResponses.send(resp, body);
            }
            return;
        }
        if (!"/status".equals(req.getPathInfo())) {
            ErrorResponses.send(resp, ErrorBody.of(ErrorCode.NOT_FOUND, "no route GET /internal/v1" + req.getPathInfo()));
            return;
        }
        List<PartitionStatus> parts = new ArrayList<>();
        for (Replica r : manager.replicas()) {
            try {
                parts.add(r.status());
            } catch (RuntimeException e) {
                LOG.warn("status of {}/{}: {}", r.keyspace(), r.partitionId(), e.toString());
            }
        }
        parts.sort(Comparator.comparing(PartitionStatus::keyspace).thenComparingInt(PartitionStatus::partitionId));
        long inc = Math.max(1, incarnation.getAsLong());
        json(resp, new NodeStatus(nodeId, inc, parts));
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        String[] p = path.split("/");
        // ["", "partitions", ks, pid, op]
        try {
            if (p.length != 5 || !p[1].equals("partitions")) {
                throw new ReplicaException(ErrorCode.NOT_FOUND, "no route POST /internal/v1" + path);
            }
            String ks = p[2];
            int pid = partitionId(p[3]);
            switch (p[4]) {
                case "fetch" -> fetch(ks, pid, req, resp);
                case "epoch-end" -> epochEnd(ks, pid, req, resp);
                case "fence" -> fence(ks, pid, req, resp);
                case "transfer" -> transfer(ks, pid, req, resp);
                default -> throw new ReplicaException(ErrorCode.NOT_FOUND, "no route POST /internal/v1" + path);
            }
        } catch (MalformedReplicationMessage e) {
            ErrorResponses.send(resp, ErrorBody.of(ErrorCode.INVALID_ARGUMENT, e.getMessage()));
        } catch (RuntimeException e) {
            ErrorBody body = ErrorResponses.of(e);
            if (body.code() == ErrorCode.INTERNAL) {
                LOG.error("internal request {} failed", path, e);
            }
            ErrorResponses.send(resp, body);
        }
    }

    private static int partitionId(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new ReplicaException(ErrorCode.INVALID_PARTITION_ID, "partition id '" + s + "' is not a number");
        }
    }

    /**
     * {@code GET partitions/{ks}/{pid}/snapshot?epoch=E&replica=ID}: the leader's snapshot stream
     * (SNAPSHOT_FORMAT.md), epoch-fenced like a fetch. Errors before the stream starts are JSON; a
     * failure in the middle cuts the stream, which the follower's checksums reject.
     */
    private void snapshot(String ks, int pid, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Replica replica = replica(ks, pid);
        long epoch;
        try {
            epoch = Long.parseLong(String.valueOf(req.getParameter("epoch")));
        } catch (NumberFormatException e) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "snapshot needs epoch=<leader epoch>");
        }
        String replicaId = req.getParameter("replica");
        if (replicaId == null || replicaId.isEmpty()) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "snapshot needs replica=<node id>");
        }
        try (SnapshotSource src = SnapshotSource.prepare(replica, replicaId, epoch, manager.snapshotWorkDir())) {
            resp.setStatus(200);
            resp.setContentType(SnapshotStream.CONTENT_TYPE);
            OutputStream out = snapshotFaults.apply(resp.getOutputStream());
            long bytes = src.writeTo(out);
            out.flush();
            LOG.info("served a snapshot of {}/{} at offset {} (epoch {}, {} files, {} bytes) to {}", ks, pid,
                    src.header().snapshotOffset(), src.header().snapshotEpoch(), src.header().fileCount(), bytes,
                    replicaId);
        }
    }

    /**
     * Fault injection for tests: wraps the output of every snapshot served by any node of this
     * process (identity by default). Not configurable outside tests.
     */
    public static volatile java.util.function.UnaryOperator<OutputStream> snapshotFaults = o -> o;

    private void transfer(String ks, int pid, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        TransferLeadershipRequest t = readControl(req, TransferLeadershipRequest.class, "TransferLeadershipRequest");
        if (!t.keyspace().equals(ks) || t.partitionId() != pid) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "the body names " + t.keyspace() + "/"
                    + t.partitionId() + " but the path " + ks + "/" + pid);
        }
        checkControllerEpoch(t.controllerEpoch());
        json(resp, replica(ks, pid).transferLeadership(t));
    }

    private <T> T readControl(HttpServletRequest req, Class<T> type, String what) throws IOException {
        try (InputStream in = req.getInputStream()) {
            byte[] body = in.readNBytes(MAX_CONTROL_BODY + 1);
            if (body.length > MAX_CONTROL_BODY) {
                throw new ReplicaException(ErrorCode.BODY_TOO_LARGE, what + " body over " + MAX_CONTROL_BODY + " bytes");
            }
            try {
                return ErrorResponses.JSON.readValue(body, type);
            } catch (IOException e) {
                throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "bad " + what + ": " + e.getMessage());
            }
        }
    }

    /** Refuses a controller epoch older than the newest seen (fences and transfers alike). */
    private synchronized void checkControllerEpoch(long controllerEpoch) {
        if (controllerEpoch < newestControllerEpoch) {
            throw new ReplicaException(ErrorCode.STALE_EPOCH, "controller epoch " + controllerEpoch
                    + " is older than " + newestControllerEpoch,
                    Map.of("controllerEpoch", Long.toString(newestControllerEpoch)));
        }
        newestControllerEpoch = controllerEpoch;
    }

    private Replica replica(String ks, int pid) {
        return manager.replica(ks, pid).orElseThrow(() -> new ReplicaException(ErrorCode.PARTITION_NOT_FOUND,
                "node " + nodeId + " holds no replica of " + ks + "/" + pid));
    }

    private void fetch(String ks, int pid, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Replica replica = replica(ks, pid);
        FetchRequest r;
        try (InputStream in = req.getInputStream()) {
            r = ReplicationCodec.decodeFetchRequest(in);
        }
        byte[] out = ReplicationCodec.encode(replica.fetch(r));
        binary(resp, out);
    }

    private void epochEnd(String ks, int pid, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Replica replica = replica(ks, pid);
        EpochEndRequest r;
        try (InputStream in = req.getInputStream()) {
            r = ReplicationCodec.decodeEpochEndRequest(in);
        }
        binary(resp, ReplicationCodec.encode(replica.epochEnd(r.replicaId(), r.epoch(), r.requestedEpoch())));
    }

    private void fence(String ks, int pid, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        FenceRequest f;
        try (InputStream in = req.getInputStream()) {
            byte[] body = in.readNBytes(MAX_CONTROL_BODY + 1);
            if (body.length > MAX_CONTROL_BODY) {
                throw new ReplicaException(ErrorCode.BODY_TOO_LARGE, "fence body over " + MAX_CONTROL_BODY + " bytes");
            }
            try {
                f = ErrorResponses.JSON.readValue(body, FenceRequest.class);
            } catch (IOException e) {
                throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "bad FenceRequest: " + e.getMessage());
            }
        }
        if (!f.keyspace().equals(ks) || f.partitionId() != pid) {
            throw new ReplicaException(ErrorCode.INVALID_ARGUMENT, "the body names " + f.keyspace() + "/"
                    + f.partitionId() + " but the path " + ks + "/" + pid);
        }
        checkControllerEpoch(f.controllerEpoch());
        Replica replica = manager.replica(ks, pid).orElse(null);
        if (replica == null) {
            try {
                replica = manager.readFresh(new ReplicaManager.Key(ks, pid)).orElseThrow(() -> new ReplicaException(
                        ErrorCode.PARTITION_NOT_FOUND, "partition " + ks + "/" + pid + " is not assigned to " + nodeId));
            } catch (ReplicaException e) {
                throw e;
            } catch (Exception e) {
                throw new ReplicaException(ErrorCode.ZOOKEEPER_UNAVAILABLE, "cannot read partition " + ks + "/" + pid + ": " + e);
            }
        }
        json(resp, replica.fence(f.epoch()));
    }

    private static void binary(HttpServletResponse resp, byte[] out) throws IOException {
        resp.setStatus(200);
        resp.setContentType(ReplicationClient.CONTENT_TYPE);
        resp.setContentLength(out.length);
        resp.getOutputStream().write(out);
    }

    private static void json(HttpServletResponse resp, Object value) throws IOException {
        byte[] out = ErrorResponses.JSON.writeValueAsBytes(value);
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setContentLength(out.length);
        resp.getOutputStream().write(out);
    }
}
