package io.stratakv.ops.cli;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.balancer.BalancerApplication;
import io.stratakv.balancer.BalancerConfiguration;
import io.stratakv.controller.ControllerApplication;
import io.stratakv.controller.ControllerConfiguration;
import io.stratakv.node.NodeApplication;
import io.stratakv.node.NodeConfiguration;
import org.apache.curator.test.TestingServer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ZooKeeper, three storage nodes, a controller (default keyspace: {@code partitions} partitions,
 * replication factor 3) and a balancer in this JVM, each with its own Dropwizard property prefix
 * (DropwizardTestSupport leaks {@code dw.*} properties between apps otherwise).
 */
final class InProcessCluster implements AutoCloseable {

    private final TestingServer zkServer;
    private final List<DropwizardTestSupport<NodeConfiguration>> nodes = new ArrayList<>();
    private final DropwizardTestSupport<ControllerConfiguration> controller;
    private final DropwizardTestSupport<BalancerConfiguration> balancer;

    InProcessCluster(Path data, String prefix, int partitions) throws Exception {
        zkServer = new TestingServer(true);
        String cluster = prefix;
        for (String id : List.of("n1", "n2", "n3")) {
            String p = prefix + "node-" + id;
            DropwizardTestSupport<NodeConfiguration> n = new DropwizardTestSupport<>(NodeApplication.class, (String) null, p,
                    ConfigOverride.config(p, "nodeId", id),
                    ConfigOverride.config(p, "dataDir", data.resolve(id).toString()),
                    ConfigOverride.config(p, "zookeeper.connect", zkServer.getConnectString()),
                    ConfigOverride.config(p, "zookeeper.cluster", cluster),
                    ConfigOverride.config(p, "zookeeper.sessionTimeout", "4s"),
                    ConfigOverride.config(p, "storage.fsyncPolicy", "ALWAYS"),
                    ConfigOverride.config(p, "storage.memtableSize", "4MiB"),
                    ConfigOverride.config(p, "storage.blockCacheSize", "8MiB"),
                    ConfigOverride.config(p, "storage.minFreeSpace", "1MiB"),
                    ConfigOverride.config(p, "replication.reconcileInterval", "300ms"),
                    ConfigOverride.config(p, "server.applicationConnectors[0].port", "0"),
                    ConfigOverride.config(p, "server.adminConnectors[0].port", "0"),
                    ConfigOverride.config(p, "logging.level", "WARN"));
            nodes.add(n);
            n.before();
        }
        String c = prefix + "ctl";
        controller = new DropwizardTestSupport<>(ControllerApplication.class, (String) null, c,
                ConfigOverride.config(c, "controllerId", "controller-1"),
                ConfigOverride.config(c, "zookeeper.connect", zkServer.getConnectString()),
                ConfigOverride.config(c, "zookeeper.cluster", cluster),
                ConfigOverride.config(c, "zookeeper.sessionTimeout", "4s"),
                ConfigOverride.config(c, "reconcileInterval", "300ms"),
                ConfigOverride.config(c, "healthPollInterval", "300ms"),
                ConfigOverride.config(c, "healthGracePeriod", "2s"),
                ConfigOverride.config(c, "defaultKeyspace.partitions", Integer.toString(partitions)),
                ConfigOverride.config(c, "defaultKeyspace.replicationFactor", "3"),
                ConfigOverride.config(c, "server.applicationConnectors[0].port", "0"),
                ConfigOverride.config(c, "server.adminConnectors[0].port", "0"),
                ConfigOverride.config(c, "logging.level", "WARN"));
        controller.before();
        String b = prefix + "bal";
        balancer = new DropwizardTestSupport<>(BalancerApplication.class, (String) null, b,
                ConfigOverride.config(b, "zookeeper.connect", zkServer.getConnectString()),
                ConfigOverride.config(b, "zookeeper.cluster", cluster),
                ConfigOverride.config(b, "reconcileInterval", "300ms"),
                ConfigOverride.config(b, "server.applicationConnectors[0].port", "0"),
                ConfigOverride.config(b, "server.adminConnectors[0].port", "0"),
                ConfigOverride.config(b, "logging.level", "WARN"));
        balancer.before();
    }

    String balancerUrl() {
        return "http://127.0.0.1:" + balancer.getLocalPort();
    }

    String controllerUrl() {
        return "http://127.0.0.1:" + controller.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        balancer.after();
        controller.after();
        for (DropwizardTestSupport<NodeConfiguration> n : nodes) {
            n.after();
        }
        zkServer.close();
    }
}
