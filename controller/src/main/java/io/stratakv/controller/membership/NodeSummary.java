package io.stratakv.controller.membership;

import io.stratakv.controller.core.NodeHealth;
import io.stratakv.zk.records.NodeState;

/** One node as {@code GET /admin/v1/nodes} shows it. */
public record NodeSummary(String nodeId, String host, int dataPort, int internalPort, int adminPort, String rack,
                          NodeState state, boolean live, NodeHealth health, int replicas, int learners, int leaders) {
}
