package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.NodeHealth;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides which partitions should change replicas, and to what. A pure function of the
 * partitions and the nodes' health, so it is tested by properties over random clusters.
 *
 * <p>Node roles, from their health (the caller maps a node DOWN for less than
 * {@code replaceDownNodeAfter} to SUSPECT, so a short outage moves nothing):
 * <ul>
 *   <li>ACTIVE: a <em>receiver</em>: keeps its replicas and may get new ones; balanced.</li>
 *   <li>SUSPECT: keeps its replicas, gets no new ones, is not counted in the balance.</li>
 *   <li>DECOMMISSIONING, REMOVED, DOWN: <em>drained</em>: every replica on it is replaced.</li>
 * </ul>
 *
 * <p>What a plan guarantees, in priority order (the same order as {@code Placement}):
 * <ol>
 *   <li>a target holds distinct nodes and the same number of voters as now; a replica on a
 *       drained node is replaced by a receiver whenever one not already in the set exists;</li>
 *   <li>rack spread: a replacement takes a rack the partition does not use yet when a receiver
 *       offers one, and a balancing move never lowers the partition's number of racks;</li>
 *   <li>balance: after every planned and pending move, replica counts on receivers differ by at
 *       most one wherever rule 2 allows it (always when racks hold equal numbers of receivers);</li>
 *   <li>few moves: each balancing move takes a replica from a node above the others to one at
 *       least two below it, so an already balanced cluster gets an empty plan; a replica that
 *       stays never moves, and the current leader is the last replica chosen to move.</li>
 * </ol>
 *
 * <p>Partitions with a pending reassignment count at their target and are never re-planned
 * (one goal per partition at a time); partitions marked not movable (not ONLINE) count as they
 * are. At most {@code maxNewMoves} partitions get a new target; drains come first. Everything is
 * deterministic (ties broken by id), so two controllers plan the same from the same view.
 */
public final class RebalancePlanner {

    private RebalancePlanner() {
    }

    /**
     * A partition as the planner sees it.
     *
     * @param id       any stable unique id (for instance {@code "ks/7"}); plans are ordered by it
     * @param replicas the voters, preferred leader first
     * @param pending  the target of a reassignment already in progress
     * @param movable  whether a new target may be given (false for partitions not ONLINE)
     */
    public record Partition(String id, List<String> replicas, List<String> learners, Optional<String> leader,
                            Optional<List<String>> pending, boolean movable) {
        public Partition {
            replicas = List.copyOf(replicas);
            learners = List.copyOf(learners);
            pending = pending.map(List::copyOf);
        }

        /** The voters this partition will have once what is already in flight completes. */
        List<String> settled() {
            return pending.orElse(replicas);
        }
    }

    /** A node as the planner sees it; {@code rack} is never null (use one default rack). */
    public record Node(String nodeId, String rack, NodeHealth health) {
        boolean receives() {
            return health == NodeHealth.ACTIVE;
        }

        boolean drained() {
            return health == NodeHealth.DOWN || health == NodeHealth.DECOMMISSIONING || health == NodeHealth.REMOVED;
        }
    }

    /** New targets by partition id (in id order), and how many replica moves they make. */
    public record Plan(Map<String, List<String>> targets, int replicaMoves) {
        public boolean isEmpty() {
            return targets.isEmpty();
        }
    }

    public static Plan plan(List<Partition> partitions, List<Node> nodes, int maxNewMoves) {
        Map<String, Node> byId = new HashMap<>();
        for (Node n : nodes) {
            if (byId.put(n.nodeId(), n) != null) {
                throw new IllegalArgumentException("node " + n.nodeId() + " listed twice");
            }
        }
        List<String> receivers = nodes.stream().filter(Node::receives).map(Node::nodeId).sorted().toList();
        // A node the caller did not list is unknown to the cluster: treat it as drained.
        java.util.function.Predicate<String> drained = id -> !byId.containsKey(id) || byId.get(id).drained();
        java.util.function.Function<String, String> rackOf = id -> byId.containsKey(id) ? byId.get(id).rack() : "?" + id;

        Map<String, Integer> load = new HashMap<>();
        receivers.forEach(r -> load.put(r, 0));
        Map<String, List<String>> working = new TreeMap<>(); // partition id -> current target
        Map<String, Partition> movable = new TreeMap<>();
        for (Partition p : partitions) {
            List<String> set = p.settled();
            set.forEach(id -> load.computeIfPresent(id, (k, v) -> v + 1));
            if (p.movable() && p.pending().isEmpty()) {
                working.put(p.id(), new ArrayList<>(set));
                movable.put(p.id(), p);
            }
        }
        Map<String, Integer> rackLoad = new HashMap<>();
        for (String r : receivers) {
            rackLoad.merge(rackOf.apply(r), load.get(r), Integer::sum);
        }
        Comparator<String> leastLoaded = Comparator.<String>comparingInt(load::get)
                .thenComparingInt(id -> rackLoad.get(rackOf.apply(id)))
                .thenComparing(Comparator.naturalOrder());

        Set<String> drainPlanned = new HashSet<>();
        // 1. Drains: replace each replica on a drained node.
        for (Map.Entry<String, List<String>> e : working.entrySet()) {
            List<String> set = e.getValue();
            for (int i = 0; i < set.size(); i++) {
                if (!drained.test(set.get(i))) {
                    continue;
                }
                Set<String> usedRacks = new HashSet<>();
                for (int j = 0; j < set.size(); j++) {
                    if (j != i) {
                        usedRacks.add(rackOf.apply(set.get(j)));
                    }
                }
                String best = null;
                boolean bestNewRack = false;
                for (String r : receivers) {
                    if (set.contains(r)) {
                        continue;
                    }
                    boolean newRack = !usedRacks.contains(rackOf.apply(r));
                    if (best == null || (newRack && !bestNewRack)
                            || (newRack == bestNewRack && leastLoaded.compare(r, best) < 0)) {
                        best = r;
                        bestNewRack = newRack;
                    }
                }
                if (best == null) {
                    continue; // no receiver left: keep the replica rather than shrink the set
                }
                set.set(i, best);
                load.merge(best, 1, Integer::sum);
                rackLoad.merge(rackOf.apply(best), 1, Integer::sum);
                drainPlanned.add(e.getKey());
            }
        }

        // 2. Balance: move one replica at a time from a node at least two above another.
        while (true) {
            String[] move = findBalancingMove(working, movable, receivers, load, rackOf);
            if (move == null) {
                break;
            }
            String pid = move[0], from = move[1], to = move[2];
            List<String> set = working.get(pid);
            set.set(set.indexOf(from), to);
            load.merge(from, -1, Integer::sum);
            load.merge(to, 1, Integer::sum);
            rackLoad.merge(rackOf.apply(from), -1, Integer::sum);
            rackLoad.merge(rackOf.apply(to), 1, Integer::sum);
        }

        // 3. Keep the changed ones, drains first, up to the limit.
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : working.entrySet()) {
            if (!new HashSet<>(e.getValue()).equals(new HashSet<>(movable.get(e.getKey()).replicas()))) {
                changed.add(e.getKey());
            }
        }
        changed.sort(Comparator.comparing((String id) -> !drainPlanned.contains(id)).thenComparing(Comparator.naturalOrder()));
        Map<String, List<String>> out = new LinkedHashMap<>();
        int moves = 0;
        for (String id : changed) {
            if (out.size() >= Math.max(0, maxNewMoves)) {
                break;
            }
            Partition p = movable.get(id);
            List<String> target = leaderFirst(working.get(id), p.leader());
            out.put(id, target);
            moves += (int) target.stream().filter(n -> !p.replicas().contains(n)).count();
        }
        return new Plan(out, moves);
    }

    /**
     * A move {partition, from, to} with load(from) >= load(to) + 2 that keeps the partition's
     * rack count, preferring the most loaded source, the least loaded destination, and a
     * non-leader replica; null if none exists.
     */
    private static String[] findBalancingMove(Map<String, List<String>> working, Map<String, Partition> movable,
                                              List<String> receivers, Map<String, Integer> load,
                                              java.util.function.Function<String, String> rackOf) {
        List<String> bySourcePreference = new ArrayList<>(receivers);
        bySourcePreference.sort(Comparator.<String>comparingInt(load::get).reversed().thenComparing(Comparator.naturalOrder()));
        List<String> byDestPreference = new ArrayList<>(receivers);
        byDestPreference.sort(Comparator.<String>comparingInt(load::get).thenComparing(Comparator.naturalOrder()));
        // First a replica that does not lead (no leadership transfer), then any.
        for (boolean allowLeader : new boolean[]{false, true}) {
            for (String from : bySourcePreference) {
                for (String to : byDestPreference) {
                    if (load.get(from) - load.get(to) < 2) {
                        break; // destinations only get more loaded from here
                    }
                    for (Map.Entry<String, List<String>> e : working.entrySet()) {
                        List<String> set = e.getValue();
                        if (!set.contains(from) || set.contains(to)) {
                            continue;
                        }
                        if (!allowLeader && movable.get(e.getKey()).leader().map(from::equals).orElse(false)) {
                            continue;
                        }
                        List<String> after = new ArrayList<>(set);
                        after.set(after.indexOf(from), to);
                        if (racks(after, rackOf) >= racks(set, rackOf)) {
                            return new String[]{e.getKey(), from, to};
                        }
                    }
                }
            }
        }
        return null;
    }

    private static long racks(List<String> set, java.util.function.Function<String, String> rackOf) {
        return set.stream().map(rackOf).distinct().count();
    }

    /** The target in its order, with the current leader first when it stays (no needless transfer). */
    private static List<String> leaderFirst(List<String> target, Optional<String> leader) {
        List<String> out = new ArrayList<>(target);
        leader.filter(out::contains).ifPresent(l -> {
            out.remove(l);
            out.add(0, l);
        });
        return List.copyOf(out);
    }
}
