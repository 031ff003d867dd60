package io.stratakv.controller.core;

import io.stratakv.controller.ControllerConfiguration;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedOutException;
import io.stratakv.zk.records.ClusterRecord;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the active controller does, over and over while it is active: a full reconcile against a
 * fresh read of ZooKeeper (bootstrap the cluster, then give every task its turn). Tasks act only
 * through fenced writes, and only while {@link ControllerLeadership#isActing()}.
 */
public final class ControlLoop implements ControllerLeadership.Listener {

    /** One duty of the active controller, run on every pass with a fresh view. */
    public interface Task {
        void run(ClusterView view, ControllerFence fence) throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ControlLoop.class);

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final ControllerConfiguration config;
    private final Clock clock;
    private final List<Task> tasks = new ArrayList<>();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "controller-loop");
        t.setDaemon(true);
        return t;
    });
    private volatile ControllerLeadership leadership;
    private ScheduledFuture<?> running;
    private volatile KeyspaceService keyspaces;

    public ControlLoop(CuratorFramework client, ZkLayout layout, ControllerConfiguration config, Clock clock) {
        this.client = client;
        this.layout = layout;
        this.config = config;
        this.clock = clock;
    }

    public void attach(ControllerLeadership leadership, KeyspaceService keyspaces) {
        this.leadership = leadership;
        this.keyspaces = keyspaces;
    }

    public void addTask(Task task) {
        tasks.add(task);
    }

    @Override
    public synchronized void activated(ControllerFence fence) {
        if (running != null) {
            running.cancel(false);
        }
        long period = config.getReconcileInterval().toMilliseconds();
        running = executor.scheduleWithFixedDelay(() -> pass(fence), 0, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void deactivated(LeadershipState why) {
        if (running != null) {
            running.cancel(false);
            running = null;
        }
    }

    /** Runs one pass now, on the loop thread, and waits for it (tests and admin triggers). */
    public void runOnce() throws Exception {
        ControllerFence fence = leadership.fence();
        if (fence != null) {
            executor.submit(() -> pass(fence)).get();
        }
    }

    private void pass(ControllerFence fence) {
        if (!leadership.isActing() || !fence.equals(leadership.fence())) {
            return;
        }
        try {
            bootstrap(fence);
            ClusterView view = ClusterView.read(client, layout);
            for (Task t : tasks) {
                if (!leadership.isActing()) {
                    return;
                }
                t.run(view, fence);
                view = ClusterView.read(client, layout);
            }
        } catch (FencedOutException e) {
            leadership.fencedOut();
        } catch (Exception e) {
            LOG.warn("controller pass failed (will retry): {}", e.toString());
        }
    }

    /** Creates the containers, the cluster znode and the default keyspace if they are missing. */
    private void bootstrap(ControllerFence fence) throws Exception {
        for (String path : layout.containers()) {
            try {
                client.create().creatingParentsIfNeeded().forPath(path);
            } catch (KeeperException.NodeExistsException ignored) {
                // already there
            }
        }
        try {
            client.create().forPath(layout.cluster(), ZkCodec.encode(new ClusterRecord(ClusterRecord.SCHEMA_V1,
                    config.getZookeeper().getCluster(), UUID.randomUUID().toString(), clock.instant())));
            LOG.info("bootstrapped cluster {}", config.getZookeeper().getCluster());
        } catch (KeeperException.NodeExistsException ignored) {
            // already bootstrapped
        }
        ControllerConfiguration.DefaultKeyspace dk = config.getDefaultKeyspace();
        if (dk.getPartitions() > 0) {
            ClusterView view = ClusterView.read(client, layout);
            if (!view.keyspaces().containsKey(dk.getName())) {
                try {
                    keyspaces.create(new KeyspaceSpec(dk.getName(), dk.getPartitions(), dk.getReplicationFactor(),
                            null, null, false, null), view, fence);
                    LOG.info("created keyspace {} ({} partitions, replication factor {})", dk.getName(),
                            dk.getPartitions(), dk.getReplicationFactor());
                } catch (AdminException e) {
                    LOG.info("default keyspace {} not created yet: {}", dk.getName(), e.getMessage());
                }
            }
        }
    }

    public void close() {
        executor.shutdownNow();
    }
}
