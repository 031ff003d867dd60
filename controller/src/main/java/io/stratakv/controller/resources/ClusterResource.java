package io.stratakv.controller.resources;

import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.PartitionRecord;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.apache.curator.framework.CuratorFramework;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Admin API: what this controller is, and the cluster as ZooKeeper holds it. */
@Path("/admin/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
public final class ClusterResource {

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final ControllerLeadership leadership;
    private final String controllerId;

    public ClusterResource(CuratorFramework client, ZkLayout layout, ControllerLeadership leadership, String controllerId) {
        this.client = client;
        this.layout = layout;
        this.leadership = leadership;
        this.controllerId = controllerId;
    }

    @GET
    public Map<String, Object> cluster() throws Exception {
        ClusterView view = ClusterView.read(client, layout);
        Map<String, Object> out = new LinkedHashMap<>();
        ControllerFence fence = leadership.fence();
        out.put("controller", Map.of("id", controllerId, "state", leadership.state().name(),
                "epoch", fence == null ? -1 : fence.epoch()));
        List<Map<String, Object>> nodes = view.registered().values().stream().map(Versioned::value)
                .map((NodeRegistration n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("nodeId", n.nodeId());
                    m.put("host", n.host());
                    m.put("dataPort", n.dataPort());
                    m.put("rack", n.rack().orElse(""));
                    m.put("state", n.state().name());
                    m.put("live", view.live().containsKey(n.nodeId()));
                    return m;
                }).toList();
        out.put("nodes", nodes);
        out.put("keyspaces", view.keyspaces().values().stream().map(Versioned::value).toList());
        out.put("partitions", view.allPartitions().stream().map(Versioned::value).map(PartitionRecord.class::cast).toList());
        return out;
    }
}
