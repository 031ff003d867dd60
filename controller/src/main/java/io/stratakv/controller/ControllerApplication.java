package io.stratakv.controller;

import com.codahale.metrics.Gauge;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.stratakv.controller.client.HttpNodeClient;
import io.stratakv.controller.core.ControlLoop;
import io.stratakv.controller.core.Elector;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.controller.election.ElectionMetrics;
import io.stratakv.controller.election.ElectionTask;
import io.stratakv.controller.election.LeaderTransfers;
import io.stratakv.controller.election.PartitionElector;
import io.stratakv.controller.membership.Membership;
import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.controller.core.KeyspaceService;
import io.stratakv.controller.health.ZooKeeperHealthCheck;
import io.stratakv.controller.resources.AdminExceptionMapper;
import io.stratakv.controller.resources.ClusterResource;
import io.stratakv.controller.resources.JsonErrorMappers;
import io.stratakv.controller.resources.KeyspacesResource;
import io.stratakv.controller.resources.NodesResource;
import io.stratakv.controller.resources.PartitionsResource;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.fence.ControllerFence;
import org.apache.curator.framework.CuratorFramework;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The controller service. Run stays thin: it builds the parts from the configuration and hands
 * their lifecycles to Dropwizard (ZooKeeper client first, leadership after it).
 */
public class ControllerApplication extends Application<ControllerConfiguration> {

    private ControllerLeadership leadership;
    private ControlLoop loop;
    private CuratorFramework curator;
    private NodeClient nodeClient;
    private Membership membership;
    private PartitionElector elector;

    public static void main(String[] args) throws Exception {
        new ControllerApplication().run(args);
    }

    @Override
    public String getName() {
        return "strata-controller";
    }

    @Override
    public void run(ControllerConfiguration config, Environment env) {
        CuratorFramework client = config.getZookeeper().build();
        this.curator = client;
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
        Clock clock = Clock.systemUTC();
        loop = new ControlLoop(client, layout, config, clock);
        leadership = new ControllerLeadership(client, layout, config.getControllerId(), loop);
        KeyspaceService keyspaces = new KeyspaceService(client, layout, leadership, clock);
        loop.attach(leadership, keyspaces);

        Duration nodeTimeout = Duration.ofMillis(config.getNodeRequestTimeout().toMilliseconds());
        nodeClient = new HttpNodeClient(nodeTimeout);
        membership = new Membership(client, layout, nodeClient,
                Duration.ofMillis(config.getHealthPollInterval().toMilliseconds()),
                Duration.ofMillis(config.getHealthGracePeriod().toMilliseconds()), clock);
        env.lifecycle().manage(membership);
        elector = new PartitionElector(client, layout, nodeClient, membership, leadership, nodeTimeout,
                new ElectionMetrics(env.metrics()));
        LeaderTransfers transfers = new LeaderTransfers(client, layout, nodeClient, membership, elector,
                Duration.ofMillis(config.getLeaderTransferTimeout().toMilliseconds()));
        ElectionTask elections = new ElectionTask(elector, transfers, membership, leadership,
                config.isLeaderBalancing(), config.getMaxLeaderTransfersPerPass(),
                Duration.ofMillis(config.getLeaderBalancingBackoff().toMilliseconds()), clock);
        loop.addTask(membership.task());
        loop.addTask(elections);
        ElectionMetrics.registerGauges(env.metrics(), elections::offlinePartitions, elections::underReplicatedPartitions);
        env.lifecycle().manage(leadership);
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                loop.close();
                elector.close();
            }
        });

        env.jersey().register(new KeyspacesResource(keyspaces));
        env.jersey().register(new ClusterResource(client, layout, leadership, config.getControllerId()));
        env.jersey().register(new NodesResource(client, layout, membership));
        env.jersey().register(new PartitionsResource(client, layout, leadership, transfers));
        env.jersey().register(new AdminExceptionMapper());
        env.jersey().register(new JsonErrorMappers.BadJson());
        env.healthChecks().register("zookeeper", new ZooKeeperHealthCheck(client));

        env.metrics().register("controller.active", (Gauge<Integer>) () -> leadership.isActing() ? 1 : 0);
        env.metrics().register("controller.epoch", (Gauge<Long>) () -> {
            ControllerFence f = leadership.fence();
            return f == null ? -1L : f.epoch();
        });
    }

    /** For tests: the leadership of the running application. */
    public ControllerLeadership leadership() {
        return leadership;
    }

    /** For tests: the ZooKeeper client of the running application. */
    public CuratorFramework curator() {
        return curator;
    }

    public ControlLoop loop() {
        return loop;
    }

    /** The node health view (also for other control-loop tasks). */
    public Membership membership() {
        return membership;
    }

    /** The partition elector (also for replica changes). */
    public Elector elector() {
        return elector;
    }

    public NodeClient nodeClient() {
        return nodeClient;
    }
}
