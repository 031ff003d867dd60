package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.NodeHealth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Node health as moves use it: a node DOWN for less than {@code replaceDownNodeAfter} counts as
 * SUSPECT (keeps its replicas, gets none). When a node went down is kept in memory only, so a new
 * controller starts the wait again: it replaces a down node later, never sooner. Touched only by
 * the control-loop thread.
 */
public final class PlanningHealth {

    private final NodeHealthSource source;
    private final Duration replaceDownNodeAfter;
    private final Clock clock;
    private final Map<String, Instant> downSince = new HashMap<>();

    public PlanningHealth(NodeHealthSource source, Duration replaceDownNodeAfter, Clock clock) {
        this.source = source;
        this.replaceDownNodeAfter = replaceDownNodeAfter;
        this.clock = clock;
    }

    /** Every registered node's health for planning. */
    public Map<String, NodeHealth> of(ClusterView view) {
        Instant now = clock.instant();
        Map<String, NodeHealth> out = new TreeMap<>();
        for (String id : view.registered().keySet()) {
            NodeHealth h = source.health(id, view);
            if (h == NodeHealth.DOWN) {
                Instant since = downSince.computeIfAbsent(id, k -> now);
                if (Duration.between(since, now).compareTo(replaceDownNodeAfter) < 0) {
                    h = NodeHealth.SUSPECT;
                }
            } else {
                downSince.remove(id);
            }
            out.put(id, h);
        }
        downSince.keySet().retainAll(out.keySet());
        return out;
    }

    /** The raw health (no waiting), for admin checks. */
    public NodeHealth now(String nodeId, ClusterView view) {
        return source.health(nodeId, view);
    }
}
