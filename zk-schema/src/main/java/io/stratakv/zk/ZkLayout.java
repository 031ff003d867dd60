package io.stratakv.zk;

import java.util.List;
import java.util.Objects;

/**
 * Where StrataKV keeps its control state in ZooKeeper (DESIGN.md §2). Every path is under one
 * root, by default {@code /strata/<cluster>}:
 *
 * <pre>
 * &lt;root&gt;/cluster                      persistent  ClusterRecord           first controller
 * &lt;root&gt;/controller/latch             LeaderLatch participants            controllers
 * &lt;root&gt;/controller/epoch             persistent  ControllerEpochRecord   active controller
 * &lt;root&gt;/nodes/registered/&lt;nodeId&gt;   persistent  NodeRegistration        node (create), controller (state)
 * &lt;root&gt;/nodes/live/&lt;nodeId&gt;         ephemeral   NodeLive                node
 * &lt;root&gt;/keyspaces/&lt;ks&gt;              persistent  KeyspaceRecord          controller
 * &lt;root&gt;/partitions/&lt;ks&gt;/&lt;pid&gt;       persistent  PartitionRecord         controller
 * </pre>
 *
 * Names are validated here (see {@link ZkNames}), so no path this class returns can escape its
 * parent. Immutable and cheap; build one per process from configuration.
 */
public final class ZkLayout {

    /** The parent of every cluster's root when no root is configured. */
    public static final String DEFAULT_PREFIX = "/strata";

    private final String root;

    private ZkLayout(String root) {
        this.root = root;
    }

    /** The default layout of cluster {@code cluster}: root {@code /strata/<cluster>}. */
    public static ZkLayout forCluster(String cluster) {
        return new ZkLayout(DEFAULT_PREFIX + "/" + ZkNames.requireCluster(cluster));
    }

    /**
     * A layout under an explicitly configured root: an absolute ZooKeeper path such as
     * {@code /strata/prod} or {@code /teams/kv/strata}, without a trailing slash, whose segments
     * are non-empty and are not {@code .}, {@code ..} or ZooKeeper's reserved {@code /zookeeper}.
     */
    public static ZkLayout atRoot(String root) {
        Objects.requireNonNull(root, "root");
        if (root.length() < 2 || root.charAt(0) != '/' || root.endsWith("/")) {
            throw new IllegalArgumentException("ZooKeeper root '" + root
                    + "' must be an absolute path like /strata/<cluster>, without a trailing '/'");
        }
        String[] segments = root.substring(1).split("/", -1);
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".") || s.equals("..") || s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("ZooKeeper root '" + root + "' has an invalid segment '" + s + "'");
            }
        }
        if (segments[0].equals("zookeeper")) {
            throw new IllegalArgumentException("ZooKeeper root '" + root + "' is under ZooKeeper's reserved /zookeeper");
        }
        return new ZkLayout(root);
    }

    public String root() {
        return root;
    }

    /** {@code <root>/cluster}: the cluster's identity. */
    public String cluster() {
        return root + "/cluster";
    }

    /** {@code <root>/controller}: parent of the latch and the epoch. */
    public String controller() {
        return root + "/controller";
    }

    /** {@code <root>/controller/latch}: the Curator LeaderLatch path the controllers join. */
    public String controllerLatch() {
        return root + "/controller/latch";
    }

    /** {@code <root>/controller/epoch}: the controller epoch every controller write is fenced on. */
    public String controllerEpoch() {
        return root + "/controller/epoch";
    }

    /** {@code <root>/nodes}. */
    public String nodes() {
        return root + "/nodes";
    }

    /** {@code <root>/nodes/registered}: parent of the persistent registrations. */
    public String registeredNodes() {
        return root + "/nodes/registered";
    }

    /** {@code <root>/nodes/registered/<nodeId>}. */
    public String registeredNode(String nodeId) {
        return registeredNodes() + "/" + ZkNames.requireNodeId(nodeId);
    }

    /** {@code <root>/nodes/live}: parent of the ephemeral liveness znodes. */
    public String liveNodes() {
        return root + "/nodes/live";
    }

    /** {@code <root>/nodes/live/<nodeId>}. */
    public String liveNode(String nodeId) {
        return liveNodes() + "/" + ZkNames.requireNodeId(nodeId);
    }

    /** {@code <root>/keyspaces}. */
    public String keyspaces() {
        return root + "/keyspaces";
    }

    /** {@code <root>/keyspaces/<ks>}. */
    public String keyspace(String keyspace) {
        return keyspaces() + "/" + ZkNames.requireKeyspace(keyspace);
    }

    /** {@code <root>/partitions}. */
    public String partitions() {
        return root + "/partitions";
    }

    /** {@code <root>/partitions/<ks>}: parent of the keyspace's partition znodes. */
    public String partitions(String keyspace) {
        return partitions() + "/" + ZkNames.requireKeyspace(keyspace);
    }

    /** {@code <root>/partitions/<ks>/<pid>}, the pid in canonical decimal. */
    public String partition(String keyspace, int partitionId) {
        return partitions(keyspace) + "/" + ZkNames.requirePartitionId(partitionId);
    }

    /**
     * The persistent container znodes, parents before children, that must exist before any
     * record is written: what a first controller creates when it bootstraps a cluster.
     */
    public List<String> containers() {
        return List.of(root, controller(), nodes(), registeredNodes(), liveNodes(), keyspaces(), partitions());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ZkLayout other && other.root.equals(root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return "ZkLayout[" + root + "]";
    }
}
