package io.stratakv.controller.membership;

import io.dropwizard.lifecycle.Managed;
import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.ControlLoop;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.records.NodeLive;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.NodeState;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The controller's in-memory view of node health (DESIGN.md §5, NodeHealth).
 *
 * <p>What holds:
 * <ul>
 *   <li>Registration and liveness come from ZooKeeper: the caches on {@code /nodes/registered} and
 *       {@code /nodes/live} are only hints that trigger a fresh read, and every control-loop pass
 *       also calls {@link #update(ClusterView)} with its own fresh read. The last read wins; the
 *       order in which notifications arrive never matters.</li>
 *   <li>Health of a live node comes from HTTP polls every {@code healthPollInterval}: a node whose
 *       polls fail is SUSPECT, and DOWN once they have failed for {@code healthGracePeriod}. A node
 *       without a live znode is DOWN at once. A new incarnation (or a node that was not live)
 *       starts afresh: SUSPECT until its first poll answers, then ACTIVE.</li>
 *   <li>REMOVED (registration state) beats everything; DECOMMISSIONING is reported only while the
 *       node is live and answering — a dead decommissioning node is DOWN, so its partitions get
 *       new leaders.</li>
 * </ul>
 * Polls run on every controller, active or standby, so a standby that takes over already knows
 * who is healthy. Threads: the cache and refresh work runs on one scheduler thread; each poll on
 * its own virtual thread; the state is an immutable record per node in a concurrent map.
 */
public final class Membership implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private enum Poll { UNPOLLED, OK, FAILING }

    /** One node's last known registration, liveness and poll outcome. Immutable. */
    private record Tracked(NodeRegistration registration, Optional<Long> liveIncarnation, Poll poll,
                           Instant failingSince, Optional<NodeStatus> status) {
        Tracked withPoll(Poll p, Instant since, Optional<NodeStatus> s) {
            return new Tracked(registration, liveIncarnation, p, since, s);
        }
    }

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final NodeClient nodes;
    private final Duration pollInterval;
    private final Duration gracePeriod;
    private final Clock clock;
    private final ConcurrentHashMap<String, Tracked> tracked = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, NodeHealth> reported = new ConcurrentHashMap<>();
    private final Set<String> polling = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "controller-membership");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService pollers = Executors.newVirtualThreadPerTaskExecutor();
    private CuratorCache registeredCache;
    private CuratorCache liveCache;

    public Membership(CuratorFramework client, ZkLayout layout, NodeClient nodes, Duration pollInterval,
                      Duration gracePeriod, Clock clock) {
        this.client = client;
        this.layout = layout;
        this.nodes = nodes;
        this.pollInterval = pollInterval;
        this.gracePeriod = gracePeriod;
        this.clock = clock;
    }

    @Override
    public void start() {
        registeredCache = CuratorCache.build(client, layout.registeredNodes());
        liveCache = CuratorCache.build(client, layout.liveNodes());
        registeredCache.listenable().addListener((type, oldData, data) -> refreshSoon());
        liveCache.listenable().addListener((type, oldData, data) -> refreshSoon());
        registeredCache.start();
        liveCache.start();
        scheduler.scheduleWithFixedDelay(this::pollAll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        refreshSoon();
    }

    @Override
    public void stop() {
        if (registeredCache != null) {
            registeredCache.close();
        }
        if (liveCache != null) {
            liveCache.close();
        }
        scheduler.shutdownNow();
        pollers.shutdownNow();
    }

    /** A control-loop task that reconciles membership against the pass's fresh read. */
    public ControlLoop.Task task() {
        return (ClusterView view, ControllerFence fence) -> update(view);
    }

    /** The health of a node; an unknown node is DOWN. */
    public NodeHealth health(String nodeId) {
        Tracked t = tracked.get(nodeId);
        return t == null ? NodeHealth.DOWN : healthOf(t, clock.instant());
    }

    /** The health of every registered node, by id. */
    public Map<String, NodeHealth> snapshot() {
        Instant now = clock.instant();
        Map<String, NodeHealth> out = new TreeMap<>();
        tracked.forEach((id, t) -> out.put(id, healthOf(t, now)));
        return out;
    }

    /** The registration last read for a node. */
    public Optional<NodeRegistration> registration(String nodeId) {
        return Optional.ofNullable(tracked.get(nodeId)).map(Tracked::registration);
    }

    /** The node's answer to its last successful status call (its replicas' roles, epochs and offsets). */
    public Optional<NodeStatus> lastStatus(String nodeId) {
        Tracked t = tracked.get(nodeId);
        return t == null ? Optional.empty() : t.status();
    }

    private NodeHealth healthOf(Tracked t, Instant now) {
        if (t.registration().state() == NodeState.REMOVED) {
            return NodeHealth.REMOVED;
        }
        if (t.liveIncarnation().isEmpty()) {
            return NodeHealth.DOWN;
        }
        if (t.poll() == Poll.FAILING) {
            return Duration.between(t.failingSince(), now).compareTo(gracePeriod) >= 0
                    ? NodeHealth.DOWN : NodeHealth.SUSPECT;
        }
        if (t.poll() == Poll.UNPOLLED) {
            return NodeHealth.SUSPECT;
        }
        return t.registration().state() == NodeState.DECOMMISSIONING ? NodeHealth.DECOMMISSIONING : NodeHealth.ACTIVE;
    }

    /** Takes registrations and liveness from a fresh read; keeps poll results of unchanged incarnations. */
    public void update(ClusterView view) {
        Map<String, NodeRegistration> regs = new HashMap<>();
        view.registered().forEach((id, v) -> regs.put(id, v.value()));
        Map<String, Long> live = new HashMap<>();
        view.live().forEach((id, l) -> live.put(id, l.incarnation()));
        apply(regs, live);
    }

    private void apply(Map<String, NodeRegistration> regs, Map<String, Long> live) {
        tracked.keySet().removeIf(id -> !regs.containsKey(id));
        reported.keySet().removeIf(id -> !regs.containsKey(id));
        regs.forEach((id, reg) -> tracked.compute(id, (k, old) -> {
            Optional<Long> inc = Optional.ofNullable(live.get(id));
            if (old == null || !old.liveIncarnation().equals(inc)) {
                return new Tracked(reg, inc, Poll.UNPOLLED, null, Optional.empty()); // new, gone, or restarted
            }
            return new Tracked(reg, inc, old.poll(), old.failingSince(), old.status());
        }));
        Instant now = clock.instant();
        tracked.forEach((id, t) -> report(id, healthOf(t, now)));
        tracked.forEach((id, t) -> {
            if (t.poll() == Poll.UNPOLLED && t.liveIncarnation().isPresent()) {
                pollSoon(id); // a node that (re)appeared need not wait for the next round
            }
        });
    }

    private void report(String id, NodeHealth now) {
        NodeHealth was = reported.put(id, now);
        if (was != now) {
            LOG.info("node {} health {} -> {}", id, was == null ? "(new)" : was, now);
        }
    }

    private void refreshSoon() {
        if (refreshQueued.compareAndSet(false, true)) {
            scheduler.execute(() -> {
                refreshQueued.set(false);
                try {
                    refresh();
                } catch (Exception e) {
                    LOG.debug("membership refresh failed (the next pass retries): {}", e.toString());
                }
            });
        }
    }

    /** A fresh read of the node znodes only (cheaper than a whole ClusterView). */
    private void refresh() throws Exception {
        Map<String, NodeRegistration> regs = new HashMap<>();
        for (String id : children(layout.registeredNodes())) {
            ZkCodec.read(client, layout.registeredNode(id), NodeRegistration.class)
                    .map(Versioned::value).ifPresent(r -> regs.put(id, r));
        }
        Map<String, Long> live = new HashMap<>();
        for (String id : children(layout.liveNodes())) {
            ZkCodec.read(client, layout.liveNode(id), NodeLive.class)
                    .ifPresent(v -> live.put(id, v.value().incarnation()));
        }
        apply(regs, live);
    }

    private List<String> children(String path) throws Exception {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    private void pollAll() {
        Instant now = clock.instant();
        tracked.forEach((id, t) -> {
            report(id, healthOf(t, now)); // grace periods expire between polls too
            if (t.liveIncarnation().isPresent() && t.registration().state() != NodeState.REMOVED) {
                pollSoon(id);
            }
        });
    }

    private void pollSoon(String id) {
        if (!polling.add(id)) {
            return; // the previous poll of this node is still waiting for its timeout
        }
        try {
            pollers.execute(() -> {
                try {
                    poll(id);
                } finally {
                    polling.remove(id);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            polling.remove(id); // stopping
        }
    }

    private void poll(String id) {
        Tracked before = tracked.get(id);
        if (before == null) {
            return;
        }
        boolean ok = nodes.healthy(before.registration());
        Optional<NodeStatus> status = Optional.empty();
        if (ok) {
            try {
                status = Optional.of(nodes.status(before.registration()));
            } catch (Exception e) {
                LOG.debug("status of node {} not available: {}", id, e.toString());
            }
        }
        Instant now = clock.instant();
        Optional<NodeStatus> s = status;
        Tracked after = tracked.computeIfPresent(id, (k, t) -> {
            if (!t.liveIncarnation().equals(before.liveIncarnation())) {
                return t; // the node restarted while we polled its old incarnation
            }
            if (ok) {
                return t.withPoll(Poll.OK, null, s);
            }
            return t.withPoll(Poll.FAILING, t.poll() == Poll.FAILING ? t.failingSince() : now, Optional.empty());
        });
        if (after != null) {
            report(id, healthOf(after, now));
        }
    }
}
