package io.stratakv.controller.resources;

import io.stratakv.controller.rebalance.Decommissioning;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Admin API: nodes. {@code POST /admin/v1/nodes/{id}/decommission} starts draining a node
 * (202, or 200 if it is already DECOMMISSIONING or REMOVED); watch {@code GET /admin/v1/cluster}
 * until its state is REMOVED. Errors: 400 INVALID_NODE_ID, 404 NODE_NOT_FOUND, 409
 * NOT_ENOUGH_NODES (the ACTIVE nodes left would be fewer than the largest replication factor),
 * 421 NOT_ACTIVE_CONTROLLER, 409 CONCURRENT_MODIFICATION (retry).
 */
@Path("/admin/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
public final class NodesResource {

    private final Decommissioning decommissioning;

    public NodesResource(Decommissioning decommissioning) {
        this.decommissioning = decommissioning;
    }

    @POST
    @Path("/{id}/decommission")
    public Response decommission(@PathParam("id") String id) throws Exception {
        Decommissioning.NodeStateView before = decommissioning.decommission(id);
        return Response.status(before.state() == io.stratakv.zk.records.NodeState.DECOMMISSIONING ? 202 : 200)
                .entity(before).build();
    }
}
