package io.stratakv.controller.core;

import io.stratakv.controller.placement.NotEnoughNodesException;
import io.stratakv.controller.placement.Placement;
import io.stratakv.controller.placement.PlacementNode;
import io.stratakv.zk.InvalidNameException;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.ZkNames;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedOutException;
import io.stratakv.zk.fence.FencedWrite;
import io.stratakv.zk.fence.FencedWriteException;
import io.stratakv.zk.fence.VersionConflictException;
import io.stratakv.zk.fence.ZNodeExistsException;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.NodeState;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;
import org.apache.curator.framework.CuratorFramework;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Creates, lists, describes and deletes keyspaces. A keyspace and all its partition znodes are
 * created in one fenced ZooKeeper multi, so a refused or interrupted create leaves nothing behind
 * (no half-made keyspace); partitions start OFFLINE and the election loop gives them leaders.
 */
public final class KeyspaceService {

    /** Upper bound on partitions per keyspace: keeps one create's multi well under ZooKeeper's 1 MB jute limit. */
    public static final int MAX_PARTITIONS = 1024;
    public static final int MAX_REPLICATION_FACTOR = 7;

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final ControllerLeadership leadership;
    private final Clock clock;

    public KeyspaceService(CuratorFramework client, ZkLayout layout, ControllerLeadership leadership, Clock clock) {
        this.client = client;
        this.layout = layout;
        this.leadership = leadership;
        this.clock = clock;
    }

    /** The fence of the active term, or NOT_ACTIVE_CONTROLLER naming who to ask instead. */
    private ControllerFence requireActive() {
        ControllerFence fence = leadership.fence();
        if (fence == null) {
            throw new AdminException(ErrorCode.NOT_ACTIVE_CONTROLLER,
                    "this controller is " + leadership.state() + "; send admin requests to the active controller");
        }
        return fence;
    }

    public KeyspaceRecord create(KeyspaceSpec spec) throws Exception {
        validate(spec);
        ControllerFence fence = requireActive();
        ClusterView view = ClusterView.read(client, layout);
        return create(spec, view, fence);
    }

    KeyspaceRecord create(KeyspaceSpec spec, ClusterView view, ControllerFence fence) throws Exception {
        if (view.keyspaces().containsKey(spec.name())) {
            throw new AdminException(ErrorCode.KEYSPACE_EXISTS, "keyspace '" + spec.name() + "' already exists");
        }
        List<List<String>> placement;
        try {
            placement = Placement.place(placementNodes(view), spec.partitions(), spec.replicationFactor());
        } catch (NotEnoughNodesException e) {
            throw new AdminException(ErrorCode.NOT_ENOUGH_NODES, e.getMessage(),
                    Map.of("needed", String.valueOf(e.needed()), "available", String.valueOf(e.available())));
        }
        KeyspaceRecord ks = new KeyspaceRecord(KeyspaceRecord.SCHEMA_V1, spec.name(), spec.partitions(),
                spec.replicationFactor(),
                spec.defaultWriteConsistency() == null ? WriteConsistency.QUORUM : spec.defaultWriteConsistency(),
                spec.defaultReadConsistency() == null ? ReadConsistency.STRONG : spec.defaultReadConsistency(),
                Boolean.TRUE.equals(spec.uncleanElection()), spec.options(), clock.instant(), KeyspaceState.ACTIVE,
                spec.partitions());
        List<HashRange> ranges = HashRange.partitionsOf(spec.partitions());
        FencedWrite w = FencedWrite.begin(client, fence).create(layout.keyspace(spec.name()), ks);
        w.create(layout.partitions(spec.name()), new byte[0]);
        for (int p = 0; p < spec.partitions(); p++) {
            w.create(layout.partition(spec.name(), p),
                    PartitionRecord.initial(spec.name(), p, ranges.get(p), placement.get(p), fence.epoch()));
        }
        commit(w);
        return ks;
    }

    /** Live, ACTIVE nodes with their current replica and leader counts. */
    static List<PlacementNode> placementNodes(ClusterView view) {
        Map<String, int[]> load = new HashMap<>();
        for (Versioned<PartitionRecord> p : view.allPartitions()) {
            for (String r : p.value().replicas()) {
                load.computeIfAbsent(r, k -> new int[2])[0]++;
            }
            p.value().leader().ifPresent(l -> load.computeIfAbsent(l, k -> new int[2])[1]++);
        }
        List<PlacementNode> nodes = new ArrayList<>();
        for (Versioned<NodeRegistration> n : view.registered().values()) {
            NodeRegistration r = n.value();
            if (r.state() == NodeState.ACTIVE && view.live().containsKey(r.nodeId())) {
                int[] l = load.getOrDefault(r.nodeId(), new int[2]);
                nodes.add(new PlacementNode(r.nodeId(), r.rack().orElse("default-rack"), l[0], l[1]));
            }
        }
        return nodes;
    }

    private static void validate(KeyspaceSpec spec) {
        if (spec == null) {
            throw new AdminException(ErrorCode.INVALID_ARGUMENT, "a keyspace needs a JSON body");
        }
        try {
            ZkNames.requireKeyspace(spec.name());
        } catch (InvalidNameException e) {
            throw new AdminException(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            throw new AdminException(ErrorCode.INVALID_KEYSPACE_NAME, "keyspace name is required and must match "
                    + ZkNames.NAME_REGEX);
        }
        if (spec.partitions() == null || spec.partitions() < 1 || spec.partitions() > MAX_PARTITIONS) {
            throw new AdminException(ErrorCode.INVALID_ARGUMENT,
                    "partitions must be between 1 and " + MAX_PARTITIONS + ", was " + spec.partitions());
        }
        if (spec.replicationFactor() == null || spec.replicationFactor() < 1
                || spec.replicationFactor() > MAX_REPLICATION_FACTOR) {
            throw new AdminException(ErrorCode.INVALID_ARGUMENT, "replicationFactor must be between 1 and "
                    + MAX_REPLICATION_FACTOR + ", was " + spec.replicationFactor());
        }
    }

    public List<KeyspaceRecord> list() throws Exception {
        return ClusterView.read(client, layout).keyspaces().values().stream().map(Versioned::value).toList();
    }

    /** The keyspace and its partitions. */
    public KeyspaceDescription describe(String name) throws Exception {
        ClusterView view = ClusterView.read(client, layout);
        Versioned<KeyspaceRecord> ks = view.keyspaces().get(name);
        if (ks == null) {
            throw new AdminException(ErrorCode.KEYSPACE_NOT_FOUND, "no keyspace '" + name + "'");
        }
        return new KeyspaceDescription(ks.value(), view.partitionsOf(name).stream().map(Versioned::value).toList());
    }

    /** Deletes the keyspace znode and its partitions in one fenced multi. */
    public void delete(String name) throws Exception {
        ControllerFence fence = requireActive();
        ClusterView view = ClusterView.read(client, layout);
        Versioned<KeyspaceRecord> ks = view.keyspaces().get(name);
        if (ks == null) {
            throw new AdminException(ErrorCode.KEYSPACE_NOT_FOUND, "no keyspace '" + name + "'");
        }
        FencedWrite w = FencedWrite.begin(client, fence);
        for (Versioned<PartitionRecord> p : view.partitionsOf(name)) {
            w.delete(layout.partition(name, p.value().partitionId()), p.version());
        }
        org.apache.zookeeper.data.Stat container = client.checkExists().forPath(layout.partitions(name));
        if (container != null) {
            w.delete(layout.partitions(name), container.getVersion());
        }
        w.delete(layout.keyspace(name), ks.version());
        commit(w);
    }

    private void commit(FencedWrite w) throws Exception {
        try {
            w.commit();
        } catch (FencedOutException e) {
            leadership.fencedOut();
            throw new AdminException(ErrorCode.NOT_ACTIVE_CONTROLLER, "this controller was deposed: " + e.getMessage());
        } catch (ZNodeExistsException e) {
            throw new AdminException(ErrorCode.KEYSPACE_EXISTS, e.getMessage());
        } catch (VersionConflictException e) {
            throw new AdminException(ErrorCode.CONCURRENT_MODIFICATION, e.getMessage() + "; retry");
        } catch (FencedWriteException e) {
            throw new AdminException(ErrorCode.ZOOKEEPER_UNAVAILABLE, e.getMessage());
        }
    }

    /** A keyspace with its partitions, for describe. */
    public record KeyspaceDescription(KeyspaceRecord keyspace, List<PartitionRecord> partitions) {
    }
}
