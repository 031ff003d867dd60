package io.stratakv.node.registration;

import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.records.NodeCapacity;
import io.stratakv.zk.records.NodeLive;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Registers the node (DESIGN.md §2): creates {@code /nodes/registered/<id>} if absent, or updates
 * its host and ports keeping the state the controller set (compare-and-set on the version); then
 * keeps an ephemeral {@code /nodes/live/<id>} carrying this run's incarnation (Curator's
 * PersistentNode recreates it after a session expiry).
 */
public final class NodeRegistrar implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistrar.class);
    public static final String VERSION = "0.1.0";

    private final CuratorFramework zk;
    private final ZkLayout layout;
    private final String nodeId;
    private final Optional<String> rack;
    private final Path dataDir;
    private volatile long incarnation;
    private PersistentNode live;

    public NodeRegistrar(CuratorFramework zk, ZkLayout layout, String nodeId, String rack, Path dataDir) {
        this.zk = zk;
        this.layout = layout;
        this.nodeId = nodeId;
        this.rack = rack == null || rack.isBlank() ? Optional.empty() : Optional.of(rack);
        this.dataDir = dataDir;
    }

    /** Bumps the durable incarnation counter; call before serving. */
    public long newIncarnation() throws IOException {
        incarnation = Incarnation.next(dataDir);
        return incarnation;
    }

    public long incarnation() {
        return incarnation;
    }

    public void register(String host, int port, int adminPort) throws Exception {
        String path = layout.registeredNode(nodeId);
        long disk = dataDir.toFile().getTotalSpace();
        NodeCapacity capacity = new NodeCapacity(disk, NodeCapacity.DEFAULT_WEIGHT);
        for (int attempt = 0; ; attempt++) {
            Optional<Versioned<NodeRegistration>> existing = ZkCodec.read(zk, path, NodeRegistration.class);
            try {
                if (existing.isEmpty()) {
                    NodeRegistration reg = NodeRegistration.active(nodeId, host, port, port, adminPort, rack, capacity,
                            Instant.now());
                    zk.create().creatingParentsIfNeeded().forPath(path, ZkCodec.encode(reg));
                } else {
                    NodeRegistration old = existing.get().value();
                    NodeRegistration reg = new NodeRegistration(old.schema(), nodeId, host, port, port, adminPort, rack,
                            capacity, old.state(), old.registeredAt());
                    zk.setData().withVersion(existing.get().version()).forPath(path, ZkCodec.encode(reg));
                }
                break;
            } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
        byte[] liveData = ZkCodec.encode(NodeLive.of(nodeId, incarnation, Instant.now(), VERSION));
        live = new PersistentNode(zk, CreateMode.EPHEMERAL, false, layout.liveNode(nodeId), liveData);
        live.start();
        if (!live.waitForInitialCreate(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not create " + layout.liveNode(nodeId) + " within 30 s");
        }
        LOG.info("node {} registered at {}:{} (admin {}), incarnation {}", nodeId, host, port, adminPort, incarnation);
    }

    @Override
    public void close() throws IOException {
        if (live != null) {
            live.close();
        }
    }
}
