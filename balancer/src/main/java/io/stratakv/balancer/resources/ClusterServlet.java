package io.stratakv.balancer.resources;

import io.stratakv.balancer.api.ClusterInfo;
import io.stratakv.balancer.core.ClusterView;
import io.stratakv.balancer.core.KeyspaceRoutes;
import io.stratakv.balancer.core.PartitionMap;
import io.stratakv.balancer.core.ZnodeEntry;
import io.stratakv.balancer.routing.Answer;
import io.stratakv.balancer.routing.NodeHealth;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.PartitionRecord;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code GET /v1/cluster}: nodes, keyspaces, partitions with leaders and epochs, from the map. */
public final class ClusterServlet extends HttpServlet {

    private final PartitionMap map;
    private final NodeHealth health;

    public ClusterServlet(PartitionMap map, NodeHealth health) {
        this.map = map;
        this.health = health;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!req.getMethod().equals("GET")) {
            resp.setHeader("Allow", "GET");
            ErrorResponses.send(resp, Answer.error(ErrorCode.INVALID_ARGUMENT, "use GET /v1/cluster"));
            return;
        }
        byte[] body = ErrorResponses.JSON.writeValueAsBytes(info(map.view(), map.loaded(), health));
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    static ClusterInfo info(ClusterView v, boolean loaded, NodeHealth health) {
        List<ClusterInfo.Node> nodes = v.nodes().values().stream()
                .map(ZnodeEntry::value)
                .sorted(Comparator.comparing(NodeRegistration::nodeId))
                .map(n -> new ClusterInfo.Node(n.nodeId(), n.host(), n.dataPort(), n.state(), v.isLive(n.nodeId()),
                        health.isSuspect(n.nodeId()), health.outstanding(n.nodeId()), !health.isDown(n.nodeId()),
                        health.isSlow(n.nodeId()), health.latencyEwmaMillis(n.nodeId())))
                .toList();
        List<ClusterInfo.Keyspace> keyspaces = new ArrayList<>();
        List<ClusterInfo.Partition> partitions = new ArrayList<>();
        for (KeyspaceRoutes ks : v.keyspaces().values().stream()
                .sorted(Comparator.comparing(k -> k.keyspace().name())).toList()) {
            var k = ks.keyspace();
            keyspaces.add(new ClusterInfo.Keyspace(k.name(), k.state(), k.partitions(), k.replicationFactor(),
                    k.defaultWriteConsistency().name(), k.defaultReadConsistency().name(), ks.complete()));
            Set<Integer> routed = ks.routed().stream().map(PartitionRecord::partitionId).collect(Collectors.toSet());
            ks.partitions().values().stream()
                    .sorted(Comparator.comparingInt(e -> e.value().partitionId()))
                    .forEach(e -> {
                        PartitionRecord p = e.value();
                        partitions.add(new ClusterInfo.Partition(p.keyspace(), p.partitionId(), p.range(), p.state(),
                                p.leader(), p.leaderEpoch(), p.replicas(), p.learners(), e.version(),
                                routed.contains(p.partitionId())));
                    });
        }
        return new ClusterInfo(v.generation(), loaded, nodes, keyspaces, partitions);
    }
}
