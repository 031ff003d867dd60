package io.stratakv.balancer;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.stratakv.balancer.client.HttpNodeClient;
import io.stratakv.balancer.client.NodeClient;
import io.stratakv.balancer.config.NodeClientFactory;
import io.stratakv.balancer.core.PartitionMap;
import io.stratakv.balancer.health.ActiveHealthPoller;
import io.stratakv.balancer.health.PartitionMapHealthCheck;
import io.stratakv.balancer.health.ZooKeeperHealthCheck;
import io.stratakv.balancer.resources.PublicApi;
import io.stratakv.balancer.routing.Backoff;
import io.stratakv.balancer.routing.NodeHealth;
import io.stratakv.balancer.routing.ReplicaChooser;
import io.stratakv.balancer.routing.Router;
import io.stratakv.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The balancer service: stateless, any number side by side. Run stays thin: it builds the parts
 * from the configuration and hands their lifecycles to Dropwizard (ZooKeeper client, then the
 * partition map). The public API is plain servlets; Jersey is off (nothing on this server needs it).
 */
public class BalancerApplication extends Application<BalancerConfiguration> {

    private PartitionMap map;
    private NodeHealth health;
    private ActiveHealthPoller poller;

    public static void main(String[] args) throws Exception {
        new BalancerApplication().run(args);
    }

    @Override
    public String getName() {
        return "strata-balancer";
    }

    @Override
    public void run(BalancerConfiguration config, Environment env) {
        CuratorFramework client = config.getZookeeper().build();
        ZkLayout layout = ZkLayout.forCluster(config.getZookeeper().getCluster());
        env.lifecycle().manage(new Managed() {
            @Override
            public void start() throws Exception {
                client.start();
                client.blockUntilConnected((int) config.getZookeeper().getConnectionTimeout().toMilliseconds(),
                        TimeUnit.MILLISECONDS);
            }

            @Override
            public void stop() {
                client.close();
            }
        });
        map = new PartitionMap(client, layout, millis(config.getReconcileInterval()));
        env.lifecycle().manage(map);

        NodeClientFactory nc = config.getNodeClient();
        NodeHealth health = new NodeHealth(nc.getSuspectAfterFailures(), millis(nc.getSuspectFor()),
                nc.getMaxConnectionsPerNode(), System::nanoTime);
        NodeClient nodes = nodeClient(config);
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                nodes.close();
            }
        });
        Router router = new Router(map, nodes, health, new ReplicaChooser(health, ThreadLocalRandomView.INSTANCE),
                new Backoff(millis(config.getRequests().getBackoffBase()), millis(config.getRequests().getBackoffMax()),
                        ThreadLocalRandomView.INSTANCE), env.metrics());
        this.health = health;
        poller = new ActiveHealthPoller(map, health, config.getHealth());
        env.lifecycle().manage(poller);
        // Sub-batches and scan pages of one request go to their nodes concurrently; each waits on I/O.
        ExecutorService fanOut = Executors.newVirtualThreadPerTaskExecutor();
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                fanOut.shutdownNow();
            }
        });

        env.jersey().disable();
        PublicApi.register(env, map, router, health, config.getLimits(), config.getRequests(), fanOut);
        env.healthChecks().register("zookeeper", new ZooKeeperHealthCheck(client));
        env.healthChecks().register("partition-map", new PartitionMapHealthCheck(map));
    }

    /** Calls to the storage nodes. A hook for tests. */
    protected NodeClient nodeClient(BalancerConfiguration config) {
        return new HttpNodeClient(millis(config.getNodeClient().getConnectTimeout()));
    }

    /** For tests: the running application's node health. */
    public NodeHealth nodeHealth() {
        return health;
    }

    /** For tests: the active health poller. */
    public ActiveHealthPoller healthPoller() {
        return poller;
    }

    /** For tests: the running application's partition map. */
    public PartitionMap partitionMap() {
        return map;
    }

    private static Duration millis(io.dropwizard.util.Duration d) {
        return Duration.ofMillis(d.toMilliseconds());
    }

    /** ThreadLocalRandom.current() must be called on the thread that uses it; this does so per call. */
    private enum ThreadLocalRandomView implements RandomGenerator {
        INSTANCE;

        @Override
        public long nextLong() {
            return ThreadLocalRandom.current().nextLong();
        }
    }
}
