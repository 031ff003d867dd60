package io.stratakv.controller.resources;

import io.stratakv.controller.core.AdminException;
import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.controller.election.LeaderTransfers;
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
import org.apache.curator.framework.CuratorFramework;

import java.util.Optional;

/**
 * Admin API: {@code POST /admin/v1/partitions/{ks}/{pid}/transfer-leader} with {@code {"target":"n2"}}
 * moves leadership to a caught-up voter (LeaderTransfers). Answers the published partition record;
 * errors are ErrorBody JSON: 400 for bad input, 404 KEYSPACE_NOT_FOUND / PARTITION_NOT_FOUND,
 * 409 TARGET_NOT_ELIGIBLE, 421 NOT_ACTIVE_CONTROLLER on a standby, 503 PARTITION_UNAVAILABLE.
 */
@Path("/admin/v1/partitions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class PartitionsResource {

    /** The body of a transfer-leader call. */
    public record TransferLeader(String target) {
    }

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final ControllerLeadership leadership;
    private final LeaderTransfers transfers;

    public PartitionsResource(CuratorFramework client, ZkLayout layout, ControllerLeadership leadership,
                              LeaderTransfers transfers) {
        this.client = client;
        this.layout = layout;
        this.leadership = leadership;
        this.transfers = transfers;
    }

    @POST
    @Path("/{ks}/{pid}/transfer-leader")
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
}
