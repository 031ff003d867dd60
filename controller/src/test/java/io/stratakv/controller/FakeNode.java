package io.stratakv.controller;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.contract.FenceResponse;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.contract.PartitionStatus;
import io.stratakv.zk.contract.ReplicaRole;
import io.stratakv.zk.contract.TransferLeadershipRequest;
import io.stratakv.zk.contract.TransferLeadershipResponse;
import io.stratakv.zk.records.NodeCapacity;
import io.stratakv.zk.records.NodeLive;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A storage node as the controller sees it, for tests: a real HTTP server (JDK) answering health,
 * status, fence and transfer with values the test controls, registered in ZooKeeper with its real
 * port through its own ZooKeeper session (so the test can kill its live znode).
 *
 * <p>Fencing follows the node contract: a fence below the replica's fenced epoch is refused with
 * STALE_EPOCH; otherwise the replica records the epoch and answers its (lastEpoch, endOffset).
 */
final class FakeNode implements AutoCloseable {

    private static final ObjectMapper JSON = StrataJson.newMapper();

    final String id;
    private final String rack;
    private volatile HttpServer server;
    private int port;
    private CuratorFramework zk;
    private ZkLayout layout;
    private final AtomicInteger incarnation = new AtomicInteger();

    private final Map<String, long[]> positions = new ConcurrentHashMap<>();
    private final Map<String, Long> fenced = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> fenceHistory = new ConcurrentHashMap<>();
    private final Map<String, PartitionStatus> reported = new ConcurrentHashMap<>();
    final List<TransferLeadershipRequest> transfers = new CopyOnWriteArrayList<>();
    final AtomicInteger fenceArrivals = new AtomicInteger();
    volatile boolean healthy = true;
    volatile Predicate<String> targetCaughtUp = t -> true;
    private volatile CountDownLatch fenceGate = new CountDownLatch(0);

    FakeNode(String id, String rack) throws IOException {
        this.id = id;
        this.rack = rack;
        startServer(0);
    }

    private void startServer(int onPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 50);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/", this::handle);
        s.start();
        port = s.getAddress().getPort();
        server = s;
    }

    int port() {
        return port;
    }

    /** Creates the registration and live znodes with this server's port. */
    FakeNode register(String connect, ZkLayout zkLayout) throws Exception {
        this.layout = zkLayout;
        zk = CuratorFrameworkFactory.newClient(connect, 3000, 3000, new RetryNTimes(100, 100));
        zk.start();
        zk.blockUntilConnected();
        for (String path : layout.containers()) {
            if (zk.checkExists().forPath(path) == null) {
                try {
                    zk.create().creatingParentsIfNeeded().forPath(path);
                } catch (org.apache.zookeeper.KeeperException.NodeExistsException ignored) {
                    // raced with another creator
                }
            }
        }
        zk.create().forPath(layout.registeredNode(id), ZkCodec.encode(NodeRegistration.active(id, "127.0.0.1", port,
                port, port, Optional.of(rack), new NodeCapacity(1L << 30, 1), Instant.now())));
        goLive();
        return this;
    }

    /** (Re)creates the ephemeral live znode with a new incarnation. */
    void goLive() throws Exception {
        zk.create().withMode(CreateMode.EPHEMERAL).forPath(layout.liveNode(id),
                ZkCodec.encode(NodeLive.of(id, incarnation.incrementAndGet(), Instant.now(), "test")));
    }

    /** Deletes the live znode, as when the node's session expires. */
    void goDead() throws Exception {
        zk.delete().forPath(layout.liveNode(id));
    }

    /** Stops answering (connections refused); the live znode stays. */
    void stopServer() {
        server.stop(0);
    }

    void startServerAgain() throws IOException {
        startServer(port);
    }

    void position(String ks, int pid, long lastEpoch, long endOffset) {
        positions.put(ks + "/" + pid, new long[]{lastEpoch, endOffset});
    }

    /** The epochs this replica was fenced at, in order. */
    List<Long> fencedEpochs(String ks, int pid) {
        return List.copyOf(fenceHistory.getOrDefault(ks + "/" + pid, List.of()));
    }

    /** What the status endpoint reports for a replica from now on. */
    void report(String ks, int pid, ReplicaRole role, long epoch, long lag) {
        reported.put(ks + "/" + pid, new PartitionStatus(ks, pid, role, epoch, 0, 10, 10, 10, lag, 100));
    }

    /** Fence requests wait until {@link #openFences()}. */
    void holdFences() {
        fenceGate = new CountDownLatch(1);
    }

    void openFences() {
        fenceGate.countDown();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            if (path.equals("/healthcheck")) {
                send(x, healthy ? 200 : 500, Map.of("healthy", healthy));
            } else if (path.equals("/internal/v1/status")) {
                send(x, 200, new NodeStatus(id, Math.max(1, incarnation.get()), new ArrayList<>(reported.values())));
            } else if (path.startsWith("/internal/v1/partitions/") && path.endsWith("/fence")) {
                fence(x);
            } else if (path.startsWith("/internal/v1/partitions/") && path.endsWith("/transfer")) {
                TransferLeadershipRequest r = JSON.readValue(x.getRequestBody(), TransferLeadershipRequest.class);
                transfers.add(r);
                long[] pos = positions.getOrDefault(r.keyspace() + "/" + r.partitionId(), new long[2]);
                send(x, 200, new TransferLeadershipResponse(id, r.keyspace(), r.partitionId(), r.epoch(), pos[1],
                        targetCaughtUp.test(r.targetNodeId())));
            } else {
                send(x, 404, ErrorBody.of(ErrorCode.NOT_FOUND, "no route " + path));
            }
        } catch (Exception e) {
            // the controller sees a dropped connection
        }
    }

    private void fence(HttpExchange x) throws Exception {
        FenceRequest r = JSON.readValue(x.getRequestBody(), FenceRequest.class);
        fenceArrivals.incrementAndGet();
        if (!fenceGate.await(30, TimeUnit.SECONDS)) {
            return;
        }
        String key = r.keyspace() + "/" + r.partitionId();
        long[] pos = positions.getOrDefault(key, new long[2]);
        synchronized (this) {
            long current = fenced.getOrDefault(key, 0L);
            if (r.epoch() < current) {
                send(x, 409, ErrorBody.of(ErrorCode.STALE_EPOCH, "fenced at " + current + ", refused " + r.epoch()));
                return;
            }
            fenced.put(key, r.epoch());
            fenceHistory.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(r.epoch());
        }
        send(x, 200, new FenceResponse(id, r.keyspace(), r.partitionId(), r.epoch(), pos[0], pos[1], 0));
    }

    private static void send(HttpExchange x, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        fenceGate.countDown();
        server.stop(0);
        if (zk != null) {
            zk.close();
        }
    }
}
