package io.stratakv.controller;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.stratakv.controller.core.ControlLoop;
import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.controller.core.Elector;
import io.stratakv.controller.core.KeyspaceService;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.controller.core.Unwired;
import io.stratakv.controller.rebalance.Decommissioning;
import io.stratakv.controller.rebalance.NodeHealthSource;
import io.stratakv.controller.rebalance.PlanningHealth;
import io.stratakv.controller.rebalance.RebalanceTask;
import io.stratakv.controller.rebalance.ReplicaMover;
import io.stratakv.controller.rebalance.Splits;
import io.stratakv.controller.rebalance.ZnodeDerivedHealth;
import io.stratakv.controller.resources.MovesResource;
import io.stratakv.controller.resources.NodesResource;
import io.stratakv.controller.resources.PartitionsResource;
import io.stratakv.controller.health.ZooKeeperHealthCheck;
import io.stratakv.controller.resources.AdminExceptionMapper;
import io.stratakv.controller.resources.ClusterResource;
import io.stratakv.controller.resources.JsonErrorMappers;
import io.stratakv.controller.resources.KeyspacesResource;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.fence.ControllerFence;
import org.apache.curator.framework.CuratorFramework;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The controller service. Run stays thin: it builds the parts from the configuration and hands
 * their lifecycles to Dropwizard (ZooKeeper client first, leadership after it).
 */
public class ControllerApplication extends Application<ControllerConfiguration> {

    private ControllerLeadership leadership;
    private ControlLoop loop;
    private CuratorFramework curator;

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
        wireMoves(config, env, client, layout, clock);
        env.lifecycle().manage(leadership);
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                loop.close();
            }
        });

        env.jersey().register(new KeyspacesResource(keyspaces));
        env.jersey().register(new ClusterResource(client, layout, leadership, config.getControllerId()));
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

    /** Replica moves, rebalancing, decommissioning and split requests (loop tasks, admin endpoints, metrics). */
    private void wireMoves(ControllerConfiguration config, Environment env, CuratorFramework client, ZkLayout layout,
                           Clock clock) {
        NodeHealthSource health = nodeHealth(config, client, layout);
        PlanningHealth planningHealth = new PlanningHealth(health,
                java.time.Duration.ofMillis(config.getMoves().getReplaceDownNodeAfter().toMilliseconds()), clock);
        Counter completed = env.metrics().counter("controller.moves.completed");
        ReplicaMover mover = new ReplicaMover(client, layout, elector(config, client, layout), nodeClient(config),
                planningHealth, config.getMoves(), completed);
        loop.addTask(mover);
        loop.addTask(new RebalanceTask(client, layout, planningHealth, config.getMoves(), clock));
        env.metrics().register("controller.moves.in_flight",
                (Gauge<Integer>) () -> leadership.isActing() ? mover.inFlight() : 0);
        env.jersey().register(new NodesResource(new Decommissioning(client, layout, leadership, health)));
        env.jersey().register(new MovesResource(client, layout, config.getMoves().getMaxMovesInFlight()));
        env.jersey().register(new PartitionsResource(new Splits(client, layout, leadership, clock)));
    }

    /** The partition elector. PLACEHOLDER until the election branch is merged (tests override it). */
    protected Elector elector(ControllerConfiguration config, CuratorFramework client, ZkLayout layout) {
        return new Unwired.NoElector();
    }

    /** HTTP calls to nodes. PLACEHOLDER until the election branch is merged (tests override it). */
    protected NodeClient nodeClient(ControllerConfiguration config) {
        return new Unwired.NoNodeClient();
    }

    /**
     * Node health for moves. PLACEHOLDER: derived from ZooKeeper alone ({@link ZnodeDerivedHealth});
     * replace with Membership's health (HTTP polls, grace period) when it is merged.
     */
    protected NodeHealthSource nodeHealth(ControllerConfiguration config, CuratorFramework client, ZkLayout layout) {
        return new ZnodeDerivedHealth();
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
}
