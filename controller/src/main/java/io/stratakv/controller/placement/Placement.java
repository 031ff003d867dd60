package io.stratakv.controller.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the replicas of new partitions. A pure function of the nodes and their load, so it is
 * tested by properties over random clusters.
 *
 * <p>What it guarantees, in priority order:
 * <ol>
 *   <li>a partition's replicas are on distinct nodes;</li>
 *   <li>they span min(replicationFactor, racks) racks: a rack is reused only when every rack is
 *       already used by the partition;</li>
 *   <li>among the nodes that keep 1 and 2, the least loaded take the replica (ties: fewer leaders,
 *       then node id, so the result is deterministic); so on a cluster whose racks hold equal numbers
 *       of nodes, replica counts per node end up within one of each other;</li>
 *   <li>the first replica, the preferred leader, is picked first, as the node with the fewest
 *       leaders (then fewest replicas), so leader counts also end up within one.</li>
 * </ol>
 */
public final class Placement {

    private Placement() {
    }

    /**
     * Moves preferred leadership along chains of partitions until leader counts are within one,
     * where the replica sets allow it: an augmenting path from the node leading most, through
     * partitions it leads to their other replicas, to a node leading at least two fewer. Each
     * shift lowers the sum of squared leader counts, so it ends.
     */
    private static void balanceLeaders(List<List<String>> partitions, Map<String, int[]> load) {
        boolean moved = true;
        while (moved) {
            moved = false;
            int max = load.values().stream().mapToInt(l -> l[1]).max().orElse(0);
            for (String hi : new java.util.TreeSet<>(load.keySet())) {
                if (load.get(hi)[1] == max && shiftOneLeader(partitions, load, hi)) {
                    moved = true;
                    break;
                }
            }
        }
    }

    /** Finds an augmenting path from hi to a node leading ≤ leaders(hi) - 2 and shifts along it. */
    private static boolean shiftOneLeader(List<List<String>> partitions, Map<String, int[]> load, String hi) {
        int target = load.get(hi)[1] - 2;
        // BFS over nodes; via.get(v) = the partition whose leadership moves to v on the path.
        Map<String, Integer> via = new HashMap<>();
        Map<String, String> from = new HashMap<>();
        java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(hi));
        from.put(hi, hi);
        String end = null;
        while (!queue.isEmpty() && end == null) {
            String u = queue.poll();
            for (int p = 0; p < partitions.size() && end == null; p++) {
                List<String> replicas = partitions.get(p);
                if (!replicas.get(0).equals(u)) {
                    continue;
                }
                for (String v : replicas) {
                    if (from.containsKey(v)) {
                        continue;
                    }
                    from.put(v, u);
                    via.put(v, p);
                    if (load.get(v)[1] <= target) {
                        end = v;
                        break;
                    }
                    queue.add(v);
                }
            }
        }
        if (end == null) {
            return false;
        }
        load.get(hi)[1]--;
        load.get(end)[1]++;
        for (String v = end; !v.equals(hi); v = from.get(v)) {
            List<String> replicas = partitions.get(via.get(v));
            replicas.remove(v);
            replicas.add(0, v);
        }
        return true;
    }

    /**
     * Replica lists (preferred leader first) for partitionCount new partitions.
     *
     * @throws NotEnoughNodesException if fewer than replicationFactor nodes are given
     */
    public static List<List<String>> place(List<PlacementNode> nodes, int partitionCount, int replicationFactor) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partition count must be at least 1, was " + partitionCount);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1, was " + replicationFactor);
        }
        if (nodes.size() < replicationFactor) {
            throw new NotEnoughNodesException(replicationFactor, nodes.size());
        }
        Map<String, int[]> load = new HashMap<>(); // nodeId -> {replicas, leaders}
        Map<String, String> rackOf = new HashMap<>();
        for (PlacementNode n : nodes) {
            if (load.put(n.nodeId(), new int[]{n.replicas(), n.leaders()}) != null) {
                throw new IllegalArgumentException("node " + n.nodeId() + " listed twice");
            }
            rackOf.put(n.nodeId(), n.rack());
        }
        int rackCount = (int) nodes.stream().map(PlacementNode::rack).distinct().count();
        Map<String, int[]> rackLoad = new HashMap<>(); // rack -> {replicas}
        for (PlacementNode n : nodes) {
            rackLoad.computeIfAbsent(n.rack(), r -> new int[1])[0] += n.replicas();
        }
        // Least replicas first; among equals, the node in the least loaded rack, so that no rack is
        // starved when the rack rule forces a choice later in the partition.
        Comparator<String> leastLoaded = Comparator
                .comparingInt((String id) -> load.get(id)[0])
                .thenComparingInt(id -> rackLoad.get(rackOf.get(id))[0])
                .thenComparingInt(id -> load.get(id)[1])
                .thenComparing(Comparator.naturalOrder());
        List<List<String>> out = new ArrayList<>(partitionCount);
        for (int p = 0; p < partitionCount; p++) {
            List<String> chosen = new ArrayList<>(replicationFactor);
            Set<String> racksUsed = new HashSet<>();
            for (int r = 0; r < replicationFactor; r++) {
                boolean needNewRack = racksUsed.size() < rackCount;
                String best = null;
                for (String id : load.keySet()) {
                    if (chosen.contains(id) || (needNewRack && racksUsed.contains(rackOf.get(id)))) {
                        continue;
                    }
                    if (best == null || leastLoaded.compare(id, best) < 0) {
                        best = id;
                    }
                }
                chosen.add(best);
                racksUsed.add(rackOf.get(best));
                load.get(best)[0]++;
                rackLoad.get(rackOf.get(best))[0]++;
            }
            String leader = chosen.stream()
                    .min(Comparator.comparingInt((String id) -> load.get(id)[1]).thenComparing(Comparator.naturalOrder()))
                    .orElseThrow();
            chosen.remove(leader);
            chosen.add(0, leader);
            load.get(leader)[1]++;
            out.add(chosen);
        }
        balanceLeaders(out, load);
        out.replaceAll(List::copyOf);
        return out;
    }
}
