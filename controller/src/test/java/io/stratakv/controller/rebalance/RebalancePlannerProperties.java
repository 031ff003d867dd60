package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.NodeHealth;
import io.stratakv.controller.placement.Placement;
import io.stratakv.controller.placement.PlacementNode;
import io.stratakv.controller.rebalance.RebalancePlanner.Node;
import io.stratakv.controller.rebalance.RebalancePlanner.Partition;
import io.stratakv.controller.rebalance.RebalancePlanner.Plan;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RebalancePlannerProperties {

    /**
     * A cluster placed by {@link Placement} on {@code racks × perRack} nodes, then changed:
     * {@code joined} new nodes per rack, and some of the original nodes drained (decommissioning,
     * removed or down), the same number in every rack so that receivers stay even across racks.
     */
    record Scenario(List<Node> nodes, List<Partition> partitions, int rf) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Combinators.combine(
                Arbitraries.integers().between(1, 3),   // racks
                Arbitraries.integers().between(1, 4),   // original nodes per rack
                Arbitraries.integers().between(0, 2),   // joined per rack
                Arbitraries.integers().between(0, 2),   // drained per rack
                Arbitraries.integers().between(1, 30),  // partitions
                Arbitraries.integers().between(1, 4),   // replication factor
                Arbitraries.of(NodeHealth.DECOMMISSIONING, NodeHealth.REMOVED, NodeHealth.DOWN))
                .as((racks, perRack, joined, drainedPerRack, partitions, rf, drainedAs) -> {
                    int drainedN = Math.min(drainedPerRack, perRack);
                    List<PlacementNode> original = new ArrayList<>();
                    List<Node> nodes = new ArrayList<>();
                    for (int r = 0; r < racks; r++) {
                        for (int i = 0; i < perRack; i++) {
                            original.add(new PlacementNode("r" + r + "n" + i, "rack" + r, 0, 0));
                            nodes.add(new Node("r" + r + "n" + i, "rack" + r, i < drainedN ? drainedAs : NodeHealth.ACTIVE));
                        }
                        for (int j = 0; j < joined; j++) {
                            nodes.add(new Node("r" + r + "new" + j, "rack" + r, NodeHealth.ACTIVE));
                        }
                    }
                    int effectiveRf = Math.min(rf, original.size());
                    List<List<String>> placed = Placement.place(original, partitions, effectiveRf);
                    List<Partition> ps = new ArrayList<>();
                    for (int p = 0; p < placed.size(); p++) {
                        ps.add(new Partition("ks/" + p, placed.get(p), List.of(), Optional.of(placed.get(p).get(0)),
                                Optional.empty(), true));
                    }
                    return new Scenario(nodes, ps, effectiveRf);
                });
    }

    @Property(tries = 500)
    void afterAllMovesReceiversAreWithinOneAndDrainedNodesAreEmpty(@ForAll("scenarios") Scenario s) {
        Plan plan = RebalancePlanner.plan(s.partitions(), s.nodes(), Integer.MAX_VALUE);
        Map<String, List<String>> after = applied(s.partitions(), plan);
        Map<String, Node> byId = new HashMap<>();
        s.nodes().forEach(n -> byId.put(n.nodeId(), n));
        long receivers = s.nodes().stream().filter(n -> n.health() == NodeHealth.ACTIVE).count();

        Map<String, Integer> counts = new HashMap<>();
        s.nodes().stream().filter(n -> n.health() == NodeHealth.ACTIVE).forEach(n -> counts.put(n.nodeId(), 0));
        for (Partition p : s.partitions()) {
            List<String> set = after.get(p.id());
            assertThat(set).as("voters of %s", p.id()).hasSize(p.replicas().size()).doesNotHaveDuplicates();
            if (receivers >= s.rf()) {
                assertThat(set).as("no replica left on a drained node").allMatch(id -> byId.get(id).health() == NodeHealth.ACTIVE);
            }
            set.forEach(id -> counts.computeIfPresent(id, (k, v) -> v + 1));
        }
        if (receivers >= s.rf()) {
            int max = counts.values().stream().max(Integer::compare).orElse(0);
            int min = counts.values().stream().min(Integer::compare).orElse(0);
            assertThat(max - min).as("replica counts per serving node %s", counts).isLessThanOrEqualTo(1);
        }
    }

    @Property(tries = 500)
    void rackSpreadIsKeptWherePossible(@ForAll("scenarios") Scenario s) {
        Plan plan = RebalancePlanner.plan(s.partitions(), s.nodes(), Integer.MAX_VALUE);
        Map<String, List<String>> after = applied(s.partitions(), plan);
        Map<String, String> rack = new HashMap<>();
        s.nodes().forEach(n -> rack.put(n.nodeId(), n.rack()));
        long receiverRacks = s.nodes().stream().filter(n -> n.health() == NodeHealth.ACTIVE).map(Node::rack).distinct().count();
        for (Partition p : s.partitions()) {
            long before = p.replicas().stream().map(rack::get).distinct().count();
            long now = after.get(p.id()).stream().map(rack::get).distinct().count();
            assertThat(now).as("racks of %s: %s -> %s", p.id(), p.replicas(), after.get(p.id()))
                    .isGreaterThanOrEqualTo(Math.min(before, receiverRacks));
        }
    }

    @Property(tries = 300)
    void aBalancedClusterWithNothingToDrainGetsAnEmptyPlan(@ForAll("scenarios") Scenario s) {
        // Settle the scenario first, then the same cluster, with drained nodes gone, needs nothing.
        Map<String, List<String>> settled = applied(s.partitions(), RebalancePlanner.plan(s.partitions(), s.nodes(), Integer.MAX_VALUE));
        List<Node> remaining = s.nodes().stream().filter(n -> n.health() == NodeHealth.ACTIVE).toList();
        if (remaining.size() < s.rf()) {
            return;
        }
        List<Partition> ps = s.partitions().stream().map(p -> new Partition(p.id(), settled.get(p.id()), List.of(),
                Optional.of(settled.get(p.id()).get(0)), Optional.empty(), true)).toList();
        assertThat(RebalancePlanner.plan(ps, remaining, Integer.MAX_VALUE).targets()).isEmpty();
    }

    @Property(tries = 300)
    void movesAreNoMoreThanDrainsPlusTheExcessAboveTheBalancedShare(@ForAll("scenarios") Scenario s) {
        Plan plan = RebalancePlanner.plan(s.partitions(), s.nodes(), Integer.MAX_VALUE);
        Set<String> active = new HashSet<>();
        s.nodes().stream().filter(n -> n.health() == NodeHealth.ACTIVE).forEach(n -> active.add(n.nodeId()));
        if (active.size() < s.rf()) {
            return;
        }
        int drains = 0;
        Map<String, Integer> counts = new HashMap<>();
        active.forEach(id -> counts.put(id, 0));
        int total = 0;
        for (Partition p : s.partitions()) {
            for (String id : p.replicas()) {
                total++;
                if (active.contains(id)) {
                    counts.merge(id, 1, Integer::sum);
                } else {
                    drains++;
                }
            }
        }
        // Each balancing move takes a replica off a node above the ceiling share or onto a node
        // below the floor share; neither can happen more often than the excess / shortfall.
        int floor = total / active.size();
        int ceil = (total + active.size() - 1) / active.size();
        int excess = counts.values().stream().mapToInt(c -> Math.max(0, c - ceil)).sum();
        int shortfall = counts.values().stream().mapToInt(c -> Math.max(0, floor - c)).sum();
        assertThat(plan.replicaMoves()).isLessThanOrEqualTo(drains + excess + shortfall);
    }

    @Property(tries = 300)
    void theLimitBoundsNewTargetsAndPendingOnesAreLeftAlone(@ForAll("scenarios") Scenario s,
                                                           @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 3) int limit) {
        Plan full = RebalancePlanner.plan(s.partitions(), s.nodes(), Integer.MAX_VALUE);
        Plan limited = RebalancePlanner.plan(s.partitions(), s.nodes(), limit);
        assertThat(limited.targets().size()).isEqualTo(Math.min(limit, full.targets().size()));
        // Mark the limited plan as pending: the next plan never touches those partitions again.
        List<Partition> withPending = s.partitions().stream().map(p -> new Partition(p.id(), p.replicas(), List.of(),
                p.leader(), Optional.ofNullable(limited.targets().get(p.id())), true)).toList();
        Plan next = RebalancePlanner.plan(withPending, s.nodes(), Integer.MAX_VALUE);
        for (String id : limited.targets().keySet()) {
            assertThat(next.targets()).doesNotContainKey(id);
        }
    }

    @Example
    void decommissionedNodeIsReplacedInItsOwnRackAndTheLeaderStaysFirst() {
        List<Node> nodes = List.of(new Node("a", "r1", NodeHealth.ACTIVE), new Node("b", "r2", NodeHealth.ACTIVE),
                new Node("c", "r3", NodeHealth.DECOMMISSIONING), new Node("d", "r3", NodeHealth.ACTIVE));
        Partition p = new Partition("ks/0", List.of("a", "b", "c"), List.of(), Optional.of("b"), Optional.empty(), true);
        Plan plan = RebalancePlanner.plan(List.of(p), nodes, 2);
        assertThat(plan.targets()).containsEntry("ks/0", List.of("b", "a", "d"));
        assertThat(plan.replicaMoves()).isEqualTo(1);
    }

    @Example
    void aNewEmptyNodeDrawsReplicasUntilWithinOne() {
        List<Node> nodes = List.of(new Node("a", "r", NodeHealth.ACTIVE), new Node("b", "r", NodeHealth.ACTIVE),
                new Node("c", "r", NodeHealth.ACTIVE), new Node("d", "r", NodeHealth.ACTIVE));
        List<Partition> ps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ps.add(new Partition("ks/" + i, List.of("a", "b", "c"), List.of(), Optional.of("a"), Optional.empty(), true));
        }
        Plan plan = RebalancePlanner.plan(ps, nodes, 10);
        assertThat(plan.replicaMoves()).isEqualTo(3); // 12 replicas on 4 nodes: d takes 3
        plan.targets().values().forEach(t -> assertThat(t).contains("d"));
        // a is the only node above the others once b and c gave one each, so one leader moves, and only one.
        assertThat(plan.targets().values().stream().filter(t -> t.get(0).equals("a"))).hasSize(2);
    }

    private static Map<String, List<String>> applied(List<Partition> partitions, Plan plan) {
        Map<String, List<String>> out = new HashMap<>();
        for (Partition p : partitions) {
            out.put(p.id(), plan.targets().getOrDefault(p.id(), p.settled()));
        }
        return out;
    }
}
