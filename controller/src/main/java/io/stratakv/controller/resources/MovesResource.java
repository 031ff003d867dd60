package io.stratakv.controller.resources;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.records.PartitionRecord;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.apache.curator.framework.CuratorFramework;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Admin API: {@code GET /admin/v1/moves}, the replica moves in flight as ZooKeeper holds them
 * (any controller answers; the data is the partition records' reassignments).
 */
@Path("/admin/v1/moves")
@Produces(MediaType.APPLICATION_JSON)
public final class MovesResource {

    /** One move: where the partition is and where it is going. */
    public record Move(String keyspace, int partitionId, List<String> replicas, List<String> learners,
                       Optional<String> leader, long leaderEpoch, String state, List<String> targetReplicas,
                       Instant requestedAt) {
    }

    public record Moves(int maxMovesInFlight, List<Move> moves) {
    }

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final int maxMovesInFlight;

    public MovesResource(CuratorFramework client, ZkLayout layout, int maxMovesInFlight) {
        this.client = client;
        this.layout = layout;
        this.maxMovesInFlight = maxMovesInFlight;
    }

    @GET
    public Moves list() throws Exception {
        List<Move> moves = ClusterView.read(client, layout).allPartitions().stream().map(Versioned::value)
                .filter(p -> p.reassignment().isPresent())
                .map((PartitionRecord p) -> new Move(p.keyspace(), p.partitionId(), p.replicas(), p.learners(), p.leader(),
                        p.leaderEpoch(), p.state().name(), p.reassignment().get().targetReplicas(),
                        p.reassignment().get().requestedAt()))
                .toList();
        return new Moves(maxMovesInFlight, moves);
    }
}
