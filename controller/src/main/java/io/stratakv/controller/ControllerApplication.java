package io.stratakv.controller;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.stratakv.controller.client.HttpNodeClient;
import io.stratakv.controller.core.ControlLoop;
import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.controller.core.Elector;
import io.stratakv.controller.core.KeyspaceService;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.controller.election.ElectionMetrics;
import io.stratakv.controller.election.ElectionTask;
import io.stratakv.controller.election.LeaderTransfers;
import io.stratakv.controller.election.PartitionElector;
import io.stratakv.controller.health.ZooKeeperHealthCheck;
import io.stratakv.controller.membership.Membership;
import io.stratakv.controller.rebalance.Decommissioning;
import io.stratakv.controller.rebalance.MembershipHealth;
import io.stratakv.controller.rebalance.NodeHealthSource;
import io.stratakv.controller.rebalance.PlanningHealth;
import io.stratakv.controller.rebalance.RebalanceTask;
import io.stratakv.controller.rebalance.ReplicaMover;
import io.stratakv.controller.rebalance.SplitTask;
import io.stratakv.controller.rebalance.Splits;
import io.stratakv.controller.resources.AdminExceptionMapper;
import io.stratakv.controller.resources.ClusterResource;
import io.stratakv.controller.resources.JsonErrorMappers;
import io.stratakv.controller.resources.KeyspacesResource;
import io.stratakv.controller.resources.MovesResource;
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
    private Elector elector;

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

        // Loop tasks run in the order added, each on a fresh read: membership, elections, moves.
        Duration nodeTimeout = Duration.ofMillis(config.getNodeRequestTimeout().toMilliseconds());
        nodeClient = nodeClient(config);
        membership = new Membership(client, layout, nodeClient,
                Duration.ofMillis(config.getHealthPollInterval().toMilliseconds()),
                Duration.ofMillis(config.getHealthGracePeriod().toMilliseconds()), clock);
        env.lifecycle().manage(membership);
        loop.addTask(membership.task());
        elector = elector(config, client, layout, nodeClient, membership, new ElectionMetrics(env.metrics()));
        LeaderTransfers transfers = new LeaderTransfers(client, layout, nodeClient, membership, elector,
                Duration.ofMillis(config.getLeaderTransferTimeout().toMilliseconds()));
        ElectionTask elections = new ElectionTask(elector, transfers, membership, leadership,
                config.isLeaderBalancing(), config.getMaxLeaderTransfersPerPass(),
                Duration.ofMillis(config.getLeaderBalancingBackoff().toMilliseconds()), clock);
        loop.addTask(elections);
        ElectionMetrics.registerGauges(env.metrics(), elections::offlinePartitions, elections::underReplicatedPartitions);
        MovesWiring moves = wireMoves(config, env, client, layout, clock, transfers);

        env.lifecycle().manage(leadership);
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() throws Exception {
                loop.close();
                if (elector instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            }
        });

        env.jersey().register(new KeyspacesResource(keyspaces));
        env.jersey().register(new ClusterResource(client, layout, leadership, config.getControllerId()));
        env.jersey().register(new NodesResource(client, layout, membership, moves.decommissioning()));
        env.jersey().register(new PartitionsResource(client, layout, leadership, transfers, moves.splits()));
        env.jersey().register(new MovesResource(client, layout, config.getMoves().getMaxMovesInFlight()));
        env.jersey().register(new AdminExceptionMapper());
        env.jersey().register(new JsonErrorMappers.BadJson());
        env.jersey().register(new JsonErrorMappers.Web());
        env.jersey().register(new JsonErrorMappers.Unexpected());
        env.healthChecks().register("zookeeper", new ZooKeeperHealthCheck(client));

        env.metrics().register("controller.active", (Gauge<Integer>) () -> leadership.isActing() ? 1 : 0);
        env.metrics().register("controller.epoch", (Gauge<Long>) () -> {
            ControllerFence f = leadership.fence();
            return f == null ? -1L : f.epoch();
        });
    }

    /** What the admin endpoints need from the moves work. */
    private record MovesWiring(Decommissioning decommissioning, Splits splits) {
    }

    /**
     * Replica moves and rebalancing (loop tasks after the elections, metrics), decommissioning and
     * split requests. Moves take node health from Membership and move leadership off a leaving
     * voter by the same planned transfer as the election task.
     */
    private MovesWiring wireMoves(ControllerConfiguration config, Environment env, CuratorFramework client,
                                  ZkLayout layout, Clock clock, LeaderTransfers transfers) {
        NodeHealthSource health = new MembershipHealth(membership);
        PlanningHealth planningHealth = new PlanningHealth(health,
                Duration.ofMillis(config.getMoves().getReplaceDownNodeAfter().toMilliseconds()), clock);
        Counter completed = env.metrics().counter("controller.moves.completed");
        ReplicaMover mover = new ReplicaMover(client, layout, elector, transfers, nodeClient, planningHealth,
                config.getMoves(), completed);
        loop.addTask(mover);
        loop.addTask(new RebalanceTask(client, layout, planningHealth, config.getMoves(), clock));
        env.metrics().register("controller.moves.in_flight",
                (Gauge<Integer>) () -> leadership.isActing() ? mover.inFlight() : 0);
        Splits splits = new Splits(client, layout, leadership, clock);
        loop.addTask(new SplitTask(splits, membership, config.getSplits(), clock));
        return new MovesWiring(new Decommissioning(client, layout, leadership, health), splits);
    }

    /**
     * The partition elector used by elections, planned transfers and replica moves: DESIGN.md §4.3
     * over {@code nodes}. A hook for tests (the moves tests plug in an elector that fences nothing).
     */
    protected Elector elector(ControllerConfiguration config, CuratorFramework client, ZkLayout layout,
                              NodeClient nodes, Membership membership, ElectionMetrics metrics) {
        return new PartitionElector(client, layout, nodes, membership, leadership,
                Duration.ofMillis(config.getNodeRequestTimeout().toMilliseconds()), metrics);
    }

    /** HTTP calls to nodes (health polls, fencing, status, transfers). A hook for tests (fake nodes). */
    protected NodeClient nodeClient(ControllerConfiguration config) {
        return new HttpNodeClient(Duration.ofMillis(config.getNodeRequestTimeout().toMilliseconds()));
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
