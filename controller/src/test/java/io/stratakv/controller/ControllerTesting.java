package io.stratakv.controller;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.records.NodeCapacity;
import io.stratakv.zk.records.NodeLive;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.NodeState;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;

import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Real controllers (the Dropwizard app) against a real ZooKeeper, for tests. */
final class ControllerTesting {

    static final String CLUSTER = "test";

    private ControllerTesting() {
    }

    static DropwizardTestSupport<ControllerConfiguration> controller(String connect, String id, int defaultPartitions,
                                                                     ConfigOverride... extra) {
        java.util.List<ConfigOverride> overrides = new java.util.ArrayList<>(java.util.List.of(
                ConfigOverride.config("controllerId", id),
                ConfigOverride.config("zookeeper.connect", connect),
                ConfigOverride.config("zookeeper.cluster", CLUSTER),
                ConfigOverride.config("zookeeper.sessionTimeout", "3s"),
                ConfigOverride.config("reconcileInterval", "200ms"),
                ConfigOverride.config("defaultKeyspace.partitions", String.valueOf(defaultPartitions)),
                ConfigOverride.config("server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("server.adminConnectors[0].port", "0"),
                // -Dstrata.test.log=INFO shows every step
                ConfigOverride.config("logging.level", System.getProperty("strata.test.log", "WARN"))));
        overrides.addAll(java.util.List.of(extra));
        return new DropwizardTestSupport<>(ControllerApplication.class, (String) null,
                overrides.toArray(new ConfigOverride[0]));
    }

    /** Registers a node as its own process would (persistent + ephemeral znodes), owned by client's session. */
    static void registerNode(CuratorFramework client, String nodeId, String rack) throws Exception {
        ZkLayout layout = ZkLayout.forCluster(CLUSTER);
        for (String path : layout.containers()) {
            if (client.checkExists().forPath(path) == null) {
                try {
                    client.create().creatingParentsIfNeeded().forPath(path);
                } catch (org.apache.zookeeper.KeeperException.NodeExistsException ignored) {
                    // raced with the controller's bootstrap
                }
            }
        }
        client.create().forPath(layout.registeredNode(nodeId), ZkCodec.encode(new NodeRegistration(NodeRegistration.SCHEMA_V1,
                nodeId, "127.0.0.1", 1, 2, 3, Optional.of(rack), new NodeCapacity(1L << 30, 1), NodeState.ACTIVE, Instant.now())));
        client.create().withMode(CreateMode.EPHEMERAL).forPath(layout.liveNode(nodeId),
                ZkCodec.encode(new NodeLive(NodeLive.SCHEMA_V1, nodeId, 1, Instant.now(), "test")));
    }

    /** Polls a condition that another thread or process makes true; fails after the deadline. */
    static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
