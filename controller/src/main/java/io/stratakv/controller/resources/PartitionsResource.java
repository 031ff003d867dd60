package io.stratakv.controller.resources;

import io.stratakv.controller.rebalance.Splits;
import io.stratakv.zk.records.PartitionRecord;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Admin API: partition splits.
 * <ul>
 *   <li>{@code POST /admin/v1/partitions/{ks}/{pid}/split}: 202 with the partition, now SPLITTING
 *       with its plan (two new child ids). The replicas' side of the split (a split entry in the
 *       log, each replica splitting its state at it) is NOT implemented yet: it comes with the
 *       storage-node work, so on its own this only records the plan.</li>
 *   <li>{@code POST /admin/v1/partitions/{ks}/{pid}/split/complete}: publishes the two children
 *       and retires the parent. Operator-triggered until nodes report a finished split; call it
 *       only once every replica has split.</li>
 * </ul>
 * Errors: 400 INVALID_KEYSPACE_NAME / INVALID_PARTITION_ID / INVALID_ARGUMENT (a single-position
 * range; completing a partition that is not splitting), 404 KEYSPACE_NOT_FOUND /
 * PARTITION_NOT_FOUND (also for a retired parent, naming its children), 409 OPERATION_IN_PROGRESS
 * (already splitting, or moving replicas), 409 CONCURRENT_MODIFICATION, 421 NOT_ACTIVE_CONTROLLER,
 * 503 PARTITION_UNAVAILABLE (no leader now).
 */
@Path("/admin/v1/partitions")
@Produces(MediaType.APPLICATION_JSON)
public final class PartitionsResource {

    private final Splits splits;

    public PartitionsResource(Splits splits) {
        this.splits = splits;
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
