package io.stratakv.it.harness;

import java.time.Duration;

/**
 * What a {@link Cluster} starts. Mutable builder style: {@code ClusterSpec.named("kill-leader").nodes(3)}.
 *
 * <p>Defaults suit a 2-core machine running ten JVMs: 3 nodes, 2 controllers, 1 balancer, a
 * keyspace {@code default} of 4 partitions with 3 replicas, ZooKeeper sessions of 5 s (a dead
 * leader is replaced within seconds), fsync {@code ALWAYS}, each host in its own network namespace
 * when the machine allows it.
 */
public final class ClusterSpec {
    String name;
    int nodes = 3;
    int controllers = 2;
    int balancers = 1;
    int partitions = 4;
    int replicationFactor = 3;
    Duration sessionTimeout = Duration.ofSeconds(5);
    String fsyncPolicy = "ALWAYS";
    /** -Dit.network=false runs every cluster on loopback (scenarios that cut links are then skipped). */
    boolean network = Boolean.parseBoolean(System.getProperty("it.network", "true"));
    boolean leaderBalancing = true;
    String heap = "-Xmx256m";

    private ClusterSpec(String name) {
        this.name = name;
    }

    public static ClusterSpec named(String name) {
        if (!name.matches("[a-z0-9-]{1,40}")) throw new IllegalArgumentException("name: [a-z0-9-]{1,40}: " + name);
        return new ClusterSpec(name);
    }

    public ClusterSpec nodes(int n) { this.nodes = n; return this; }
    public ClusterSpec controllers(int n) { this.controllers = n; return this; }
    public ClusterSpec balancers(int n) { this.balancers = n; return this; }
    public ClusterSpec partitions(int n) { this.partitions = n; return this; }
    public ClusterSpec replicationFactor(int n) { this.replicationFactor = n; return this; }
    public ClusterSpec sessionTimeout(Duration d) { this.sessionTimeout = d; return this; }
    public ClusterSpec fsyncPolicy(String p) { this.fsyncPolicy = p; return this; }
    /** false: every process on 127.0.0.1 with its own ports; partition, heal and slow are then unavailable. */
    public ClusterSpec network(boolean useNamespaces) { this.network = useNamespaces; return this; }
    public ClusterSpec leaderBalancing(boolean on) { this.leaderBalancing = on; return this; }

    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    public int partitions() {
        return partitions;
    }

    public String name() {
        return name;
    }
}
