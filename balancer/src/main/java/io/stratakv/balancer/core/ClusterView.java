package io.stratakv.balancer.core;

import io.stratakv.zk.records.NodeRegistration;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of the partition map at one {@code generation}: keyspaces with their
 * routes, registered nodes and which of them are live. A request reads one snapshot per attempt.
 */
public record ClusterView(long generation,
                          Map<String, KeyspaceRoutes> keyspaces,
                          Map<String, ZnodeEntry<NodeRegistration>> nodes,
                          Set<String> live) {

    public static final ClusterView EMPTY = new ClusterView(0, Map.of(), Map.of(), Set.of());

    public ClusterView {
        keyspaces = Map.copyOf(keyspaces);
        nodes = Map.copyOf(nodes);
        live = Set.copyOf(live);
    }

    public Optional<KeyspaceRoutes> keyspace(String name) {
        return Optional.ofNullable(keyspaces.get(name));
    }

    /** {@code http://host:dataPort} of a registered node. */
    public Optional<String> dataAddress(String nodeId) {
        ZnodeEntry<NodeRegistration> n = nodes.get(nodeId);
        return n == null ? Optional.empty()
                : Optional.of("http://" + n.value().host() + ":" + n.value().dataPort());
    }

    public boolean isLive(String nodeId) {
        return live.contains(nodeId);
    }
}
