package io.stratakv.controller.resources;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.membership.Membership;
import io.stratakv.controller.membership.NodeSummary;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.PartitionRecord;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.apache.curator.framework.CuratorFramework;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Admin API: {@code GET /admin/v1/nodes}, every registered node with its health and load (any controller answers). */
@Path("/admin/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
public final class NodesResource {

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final Membership membership;

    public NodesResource(CuratorFramework client, ZkLayout layout, Membership membership) {
        this.client = client;
        this.layout = layout;
        this.membership = membership;
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
        for (Versioned<NodeRegistration> v : view.registered().values()) {
            NodeRegistration n = v.value();
            int[] l = load.getOrDefault(n.nodeId(), new int[3]);
            out.add(new NodeSummary(n.nodeId(), n.host(), n.dataPort(), n.internalPort(), n.adminPort(),
                    n.rack().orElse(""), n.state(), view.live().containsKey(n.nodeId()), membership.health(n.nodeId()),
                    l[0], l[1], l[2]));
        }
        return Map.of("nodes", out);
    }
}
