package io.stratakv.controller.placement;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlacementProperties {

    record Cluster(List<PlacementNode> nodes, int racks) {
    }

    @Provide
    Arbitrary<Cluster> clusters() {
        return Combinators.combine(Arbitraries.integers().between(1, 12), Arbitraries.integers().between(1, 4))
                .as((n, racks) -> {
                    List<PlacementNode> nodes = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        nodes.add(new PlacementNode("n" + i, "rack" + (i % racks), 0, 0));
                    }
                    return new Cluster(nodes, Math.min(n, racks));
                });
    }

    @Property(tries = 400)
    void replicasOnDistinctNodesAcrossAsManyRacksAsPossible(@ForAll("clusters") Cluster c,
                                                            @ForAll @IntRange(min = 1, max = 40) int partitions,
                                                            @ForAll @IntRange(min = 1, max = 5) int rf) {
        if (rf > c.nodes().size()) {
            assertThatThrownBy(() -> Placement.place(c.nodes(), partitions, rf)).isInstanceOf(NotEnoughNodesException.class);
            return;
        }
        Map<String, String> rack = new HashMap<>();
        c.nodes().forEach(n -> rack.put(n.nodeId(), n.rack()));
        List<List<String>> placed = Placement.place(c.nodes(), partitions, rf);
        assertThat(placed).hasSize(partitions);
        for (List<String> replicas : placed) {
            assertThat(replicas).hasSize(rf).doesNotHaveDuplicates();
            long racks = replicas.stream().map(rack::get).distinct().count();
            assertThat(racks).isEqualTo(Math.min(rf, c.racks()));
        }
    }

    @Property(tries = 400)
    void replicaAndLeaderCountsWithinOneOnEvenRacks(@ForAll @IntRange(min = 1, max = 4) int racks,
                                                   @ForAll @IntRange(min = 1, max = 4) int nodesPerRack,
                                                   @ForAll @IntRange(min = 1, max = 40) int partitions,
                                                   @ForAll @IntRange(min = 1, max = 5) int rf) {
        List<PlacementNode> nodes = new ArrayList<>();
        for (int r = 0; r < racks; r++) {
            for (int i = 0; i < nodesPerRack; i++) {
                nodes.add(new PlacementNode("r" + r + "n" + i, "rack" + r, 0, 0));
            }
        }
        if (rf > nodes.size()) {
            return;
        }
        List<List<String>> placed = Placement.place(nodes, partitions, rf);
        Map<String, Integer> replicas = new HashMap<>();
        Map<String, Integer> leaders = new HashMap<>();
        nodes.forEach(n -> {
            replicas.put(n.nodeId(), 0);
            leaders.put(n.nodeId(), 0);
        });
        for (List<String> p : placed) {
            p.forEach(id -> replicas.merge(id, 1, Integer::sum));
            leaders.merge(p.get(0), 1, Integer::sum);
        }
        assertThat(spread(replicas)).as("replicas per node %s", replicas).isLessThanOrEqualTo(1);
        assertThat(spread(leaders)).as("leaders per node %s", leaders).isLessThanOrEqualTo(1);
    }

    @Property(tries = 200)
    void existingLoadIsEvenedOut(@ForAll @IntRange(min = 2, max = 8) int n, @ForAll @IntRange(min = 1, max = 6) int heavy) {
        List<PlacementNode> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(new PlacementNode("n" + i, "rack0", i == 0 ? heavy : 0, 0));
        }
        List<List<String>> placed = Placement.place(nodes, heavy * (n - 1), 1);
        // Every new replica goes to the light nodes until they catch up with the heavy one.
        assertThat(placed.stream().flatMap(List::stream)).doesNotContain("n0");
        assertThat(new HashSet<>(placed.stream().flatMap(List::stream).toList()).size()).isEqualTo(n - 1);
    }

    private static int spread(Map<String, Integer> counts) {
        return counts.values().stream().max(Integer::compare).orElse(0) - counts.values().stream().min(Integer::compare).orElse(0);
    }
}
