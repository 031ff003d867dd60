package io.stratakv.controller.resources;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.membership.Membership;
import io.stratakv.controller.membership.NodeSummary;
import io.stratakv.controller.rebalance.Decommissioning;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.NodeState;
import io.stratakv.zk.records.PartitionRecord;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.curator.framework.CuratorFramework;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Admin API: nodes.
 * <ul>
 *   <li>{@code GET /admin/v1/nodes}: every registered node, by id, with its health and load (any
 *       controller answers).</li>
 *   <li>{@code POST /admin/v1/nodes/{id}/decommission} starts draining a node (202, or 200 if it
 *       is already DECOMMISSIONING or REMOVED); watch {@code GET /admin/v1/nodes} until its state
 *       is REMOVED. Errors: 400 INVALID_NODE_ID, 404 NODE_NOT_FOUND, 409 NOT_ENOUGH_NODES (the
 *       ACTIVE nodes left would be fewer than the largest replication factor), 421
 *       NOT_ACTIVE_CONTROLLER, 409 CONCURRENT_MODIFICATION (retry).</li>
 * </ul>
 */
@Path("/admin/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
public final class NodesResource {

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final Membership membership;
    private final Decommissioning decommissioning;

    public NodesResource(CuratorFramework client, ZkLayout layout, Membership membership,
                         Decommissioning decommissioning) {
        this.client = client;
        this.layout = layout;
        this.membership = membership;
        this.decommissioning = decommissioning;
    }

    @GET
    public Map<String, List<NodeSummary>> nodes() throws Exception {
        ClusterView view = ClusterView.read(client, layout);
        Map<String, int[]> load = new HashMap<>(); // replicas, learners, leaders
        for (Versioned<PartitionRecord> p : view.allPartitions()) {
            p.value().replicas().forEach(r -> load.computeIfAbsent(r, k -> new int[3])[0]++);
            p.value().learners().forEach(r -> load.computeIfAbsent(r, k -> new int[3])[1]++);
            p.value().leader().ifPresent(l -> load.computeIfAbsent(l, k -> new int[3])[2]++);
        }
        List<NodeSummary> out = new ArrayList<>();
        // By node id: the view's maps are unordered (Map.copyOf iterates in a per-JVM random order).
        for (Versioned<NodeRegistration> v : new TreeMap<>(view.registered()).values()) {
            NodeRegistration n = v.value();
            int[] l = load.getOrDefault(n.nodeId(), new int[3]);
            out.add(new NodeSummary(n.nodeId(), n.host(), n.dataPort(), n.internalPort(), n.adminPort(),
                    n.rack().orElse(""), n.state(), view.live().containsKey(n.nodeId()), membership.health(n.nodeId()),
                    l[0], l[1], l[2]));
        }
        return Map.of("nodes", out);
    }

    @POST
    @Path("/{id}/decommission")
    public Response decommission(@PathParam("id") String id) throws Exception {
        Decommissioning.NodeStateView before = decommissioning.decommission(id);
        return Response.status(before.state() == NodeState.DECOMMISSIONING ? 202 : 200).entity(before).build();
    }
}
