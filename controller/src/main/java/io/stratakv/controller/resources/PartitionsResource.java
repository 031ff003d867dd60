package io.stratakv.controller.resources;

import io.stratakv.controller.core.AdminException;
import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.controller.election.LeaderTransfers;
import io.stratakv.controller.rebalance.Splits;
import io.stratakv.zk.InvalidNameException;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.ZkNames;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ZkCodec;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.curator.framework.CuratorFramework;

import java.util.Optional;

/**
 * Admin API: partitions.
 * <ul>
 *   <li>{@code POST /admin/v1/partitions/{ks}/{pid}/transfer-leader} with {@code {"target":"n2"}}
 *       moves leadership to a caught-up voter (LeaderTransfers) and answers the published
 *       partition record. Errors: 400 for bad input, 404 KEYSPACE_NOT_FOUND / PARTITION_NOT_FOUND,
 *       409 TARGET_NOT_ELIGIBLE, 421 NOT_ACTIVE_CONTROLLER on a standby, 503 PARTITION_UNAVAILABLE.</li>
 *   <li>{@code POST /admin/v1/partitions/{ks}/{pid}/split}: 202 with the partition, now SPLITTING
 *       with its plan (two new child ids). Its leader appends a split entry to the log, every
 *       replica splits its state there and reports it; the control loop (SplitTask) then completes
 *       the split by itself.</li>
 *   <li>{@code POST /admin/v1/partitions/{ks}/{pid}/split/complete}: publishes the two children
 *       and retires the parent, without waiting for the replicas' reports (an operator override:
 *       call it only once a majority of the voters has split). Idempotent: for a parent already
 *       retired by its split it answers the completed split again. Split errors: 400 INVALID_KEYSPACE_NAME /
 *       INVALID_PARTITION_ID / INVALID_ARGUMENT (a single-position range; completing a partition
 *       that is not splitting), 404 KEYSPACE_NOT_FOUND / PARTITION_NOT_FOUND (a split request for a
 *       retired parent, naming its children), 409 OPERATION_IN_PROGRESS (already splitting, or moving
 *       replicas), 409 CONCURRENT_MODIFICATION, 421 NOT_ACTIVE_CONTROLLER, 503
 *       PARTITION_UNAVAILABLE (no leader now).</li>
 * </ul>
 * Errors are ErrorBody JSON.
 */
@Path("/admin/v1/partitions")
@Produces(MediaType.APPLICATION_JSON)
public final class PartitionsResource {

    /** The body of a transfer-leader call. */
    public record TransferLeader(String target) {
    }

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final ControllerLeadership leadership;
    private final LeaderTransfers transfers;
    private final Splits splits;

    public PartitionsResource(CuratorFramework client, ZkLayout layout, ControllerLeadership leadership,
                              LeaderTransfers transfers, Splits splits) {
        this.client = client;
        this.layout = layout;
        this.leadership = leadership;
        this.transfers = transfers;
        this.splits = splits;
    }

    @POST
    @Path("/{ks}/{pid}/transfer-leader")
    @Consumes(MediaType.APPLICATION_JSON)
    public PartitionRecord transferLeader(@PathParam("ks") String ks, @PathParam("pid") String pidText,
                                          TransferLeader body) throws Exception {
        int pid;
        String target;
        try {
            ZkNames.requireKeyspace(ks);
            pid = ZkNames.parsePartitionId(pidText);
            if (body == null || body.target() == null) {
                throw new AdminException(ErrorCode.INVALID_ARGUMENT, "the body must be {\"target\":\"<nodeId>\"}");
            }
            target = ZkNames.requireNodeId(body.target());
        } catch (InvalidNameException e) {
            throw new AdminException(e.code(), e.getMessage());
        }
        ControllerFence fence = leadership.fence();
        if (fence == null) {
            throw new AdminException(ErrorCode.NOT_ACTIVE_CONTROLLER,
                    "this controller is " + leadership.state() + "; send admin requests to the active controller");
        }
        if (ZkCodec.read(client, layout.keyspace(ks), KeyspaceRecord.class).isEmpty()) {
            throw new AdminException(ErrorCode.KEYSPACE_NOT_FOUND, "no keyspace '" + ks + "'");
        }
        Optional<Versioned<PartitionRecord>> p = ZkCodec.read(client, layout.partition(ks, pid), PartitionRecord.class);
        if (p.isEmpty()) {
            throw new AdminException(ErrorCode.PARTITION_NOT_FOUND, "keyspace '" + ks + "' has no partition " + pid);
        }
        return transfers.transfer(fence, p.get(), target).value();
    }

    @POST
    @Path("/{ks}/{pid}/split")
    public Response split(@PathParam("ks") String ks, @PathParam("pid") String pid) throws Exception {
        PartitionRecord splitting = splits.request(ks, pid);
        return Response.status(202).entity(splitting).build();
    }

    @POST
    @Path("/{ks}/{pid}/split/complete")
    public Splits.Completed completeSplit(@PathParam("ks") String ks, @PathParam("pid") String pid) throws Exception {
        return splits.complete(ks, pid);
    }
}
