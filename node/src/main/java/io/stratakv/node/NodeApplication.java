package io.stratakv.node;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.dropwizard.lifecycle.ServerLifecycleListener;
import io.stratakv.node.health.DataDirHealthCheck;
import io.stratakv.node.health.EnginesHealthCheck;
import io.stratakv.node.health.ZooKeeperHealthCheck;
import io.stratakv.node.admin.PartitionTasks;
import io.stratakv.node.registration.NodeRegistrar;
import io.stratakv.node.replica.ReplicaManager;
import io.stratakv.node.replication.ReplicationClient;
import io.stratakv.node.resources.InternalServlet;
import io.stratakv.node.resources.KvServlet;
import io.stratakv.node.resources.ScanServlet;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.ZkNames;
import org.apache.curator.framework.CuratorFramework;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The storage node. Run stays thin: it builds the parts from the configuration and hands their
 * lifecycles to Dropwizard in order: ZooKeeper client, replicas, then (once Jetty has bound its
 * ports) registration. The data and internal APIs are plain servlets on the application
 * connector; health checks and metrics on the admin connector.
 */
public class NodeApplication extends Application<NodeConfiguration> {

    private ReplicaManager replicas;
    private CuratorFramework curator;
    private NodeRegistrar registrar;

    public static void main(String[] args) throws Exception {
        new NodeApplication().run(args);
    }

    @Override
    public String getName() {
        return "strata-node";
    }

    @Override
    public void run(NodeConfiguration config, Environment env) throws Exception {
        String nodeId = ZkNames.requireNodeId(config.getNodeId());
        Path dataDir = Path.of(config.getDataDir()).toAbsolutePath();
        CuratorFramework client = config.getZookeeper().build();
        this.curator = client;
        ZkLayout layout = ZkLayout.forCluster(config.getZookeeper().getCluster());
        env.lifecycle().manage(new Managed() {
            @Override
            public void start() throws Exception {
                client.start();
                if (!client.blockUntilConnected((int) config.getZookeeper().getConnectionTimeout().toMilliseconds(),
                        TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("cannot connect to ZooKeeper at " + config.getZookeeper().getConnect());
                }
            }

            @Override
            public void stop() {
                client.close();
            }
        });

        var repl = config.getReplication();
        var limits = config.getLimits();
        ReplicationClient replicationClient = new ReplicationClient(
                Duration.ofMillis(repl.getFetchTimeout().toMilliseconds()), limits.maxKeyBytes() + limits.maxValueBytes() + 1024);
        replicas = new ReplicaManager(client, layout, nodeId, dataDir,
                config.getStorage().storeOptions(limits.maxKeyBytes(), limits.maxValueBytes()), replicationClient,
                (int) repl.getFetchMaxWait().toMilliseconds(), Math.toIntExact(repl.getFetchMaxSize().toBytes()),
                Math.min(200, repl.getFetchTimeout().toMilliseconds()), repl.getReconcileInterval().toMilliseconds(),
                env.metrics());
        replicas.setRetention(repl.getRetention().settings());
        replicas.setMemtableBudget(config.getStorage().getMemtableBudget().toBytes());
        env.lifecycle().manage(replicas);

        registrar = new NodeRegistrar(client, layout, nodeId, config.getRack(), dataDir);
        registrar.newIncarnation();
        env.lifecycle().addServerLifecycleListener(new ServerLifecycleListener() {
            @Override
            public void serverStarted(org.eclipse.jetty.server.Server server) {
                try {
                    registrar.register(config.getAdvertisedHost(), getLocalPort(server), getAdminPort(server));
                } catch (Exception e) {
                    throw new IllegalStateException("node " + nodeId + " could not register in ZooKeeper", e);
                }
            }
        });
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() throws Exception {
                registrar.close(); // stops first: the controller sees the node leave before its replicas close
            }
        });

        env.servlets().addServlet("strata-kv", new KvServlet(replicas, limits, env.metrics())).addMapping("/v1/kv/*");
        env.servlets().addServlet("strata-scan", new ScanServlet(replicas, limits, env.metrics())).addMapping("/v1/scan/*");
        env.servlets().addServlet("strata-internal", new InternalServlet(replicas, nodeId, registrar::incarnation))
                .addMapping("/internal/v1/*");
        io.stratakv.node.resources.JsonErrorHandler.install(env); // Jetty's own 4xx answers in the JSON error shape
        env.jersey().disable(); // no Jersey resources: unknown paths get the JSON 404, not Jersey's own shape

        env.admin().addTask(new PartitionTasks.Flush(replicas));
        env.admin().addTask(new PartitionTasks.Compact(replicas));
        env.admin().addTask(new PartitionTasks.Checkpoint(replicas));

        env.healthChecks().register("zookeeper", new ZooKeeperHealthCheck(client));
        env.healthChecks().register("data-dir", new DataDirHealthCheck(dataDir,
                config.getStorage().getMinFreeSpace().toBytes()));
        env.healthChecks().register("engines", new EnginesHealthCheck(replicas));
    }

    /** For tests: the running node's replicas. */
    public ReplicaManager replicas() {
        return replicas;
    }

    /** For tests: the running node's ZooKeeper client. */
    public CuratorFramework curator() {
        return curator;
    }

    public long incarnation() {
        return registrar.incarnation();
    }
}
