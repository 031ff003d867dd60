package io.stratakv.controller.core;

import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.NodeLive;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything the controller knows, read fresh from ZooKeeper with the znode version of each record.
 * Decisions are made on a view and written with compare-and-set on those versions, so a view that
 * went stale makes the write fail instead of doing harm (watches are only hints).
 */
public record ClusterView(Map<String, Versioned<NodeRegistration>> registered,
                          Map<String, NodeLive> live,
                          Map<String, Versioned<KeyspaceRecord>> keyspaces,
                          Map<String, List<Versioned<PartitionRecord>>> partitions) {

    public static ClusterView read(CuratorFramework client, ZkLayout layout) throws Exception {
        Map<String, Versioned<NodeRegistration>> registered = new TreeMap<>();
        for (String id : children(client, layout.registeredNodes())) {
            ZkCodec.read(client, layout.registeredNode(id), NodeRegistration.class).ifPresent(v -> registered.put(id, v));
        }
        Map<String, NodeLive> live = new TreeMap<>();
        for (String id : children(client, layout.liveNodes())) {
            ZkCodec.read(client, layout.liveNode(id), NodeLive.class).ifPresent(v -> live.put(id, v.value()));
        }
        Map<String, Versioned<KeyspaceRecord>> keyspaces = new TreeMap<>();
        Map<String, List<Versioned<PartitionRecord>>> partitions = new TreeMap<>();
        for (String ks : children(client, layout.keyspaces())) {
            Optional<Versioned<KeyspaceRecord>> k = ZkCodec.read(client, layout.keyspace(ks), KeyspaceRecord.class);
            if (k.isEmpty()) {
                continue;
            }
            keyspaces.put(ks, k.get());
            List<Versioned<PartitionRecord>> ps = new ArrayList<>();
            for (String pid : children(client, layout.partitions(ks))) {
                ZkCodec.read(client, layout.partition(ks, Integer.parseInt(pid)), PartitionRecord.class).ifPresent(ps::add);
            }
            ps.sort((a, b) -> Integer.compare(a.value().partitionId(), b.value().partitionId()));
            partitions.put(ks, List.copyOf(ps));
        }
        return new ClusterView(Map.copyOf(registered), Map.copyOf(live), Map.copyOf(keyspaces), Map.copyOf(partitions));
    }

    private static List<String> children(CuratorFramework client, String path) throws Exception {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    public List<Versioned<PartitionRecord>> partitionsOf(String keyspace) {
        return partitions.getOrDefault(keyspace, List.of());
    }

    /** Every partition of every keyspace. */
    public List<Versioned<PartitionRecord>> allPartitions() {
        List<Versioned<PartitionRecord>> all = new ArrayList<>();
        partitions.values().forEach(all::addAll);
        return all;
    }
}
