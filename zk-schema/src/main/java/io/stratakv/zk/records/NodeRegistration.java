package io.stratakv.zk.records;

import io.stratakv.zk.ZkNames;

import java.time.Instant;
import java.util.Optional;

/**
 * {@code <root>/nodes/registered/<nodeId>}: a storage node that belongs to the cluster, alive or
 * not. Created (and its addresses updated) by the node; {@link #state} changed only by the
 * controller, each with a compare-and-set on the znode version.
 *
 * @param host         the host name or address other components reach the node at
 * @param dataPort     the data API (clients, balancers)
 * @param internalPort the internal API (replication fetches, fencing); may equal {@code dataPort}
 * @param adminPort    the Dropwizard admin port (health, metrics)
 * @param rack         the failure domain placement spreads replicas across; empty if none
 * @param registeredAt when the node first registered
 */
public record NodeRegistration(
        int schema,
        String nodeId,
        String host,
        int dataPort,
        int internalPort,
        int adminPort,
        Optional<String> rack,
        NodeCapacity capacity,
        NodeState state,
        Instant registeredAt) implements ZkRecord {

    public NodeRegistration {
        ZkRecord.checkSchema(schema, NodeRegistration.class);
        ZkNames.requireNodeId(nodeId);
        Checks.notBlank(host, "host");
        Checks.port(dataPort, "dataPort");
        Checks.port(internalPort, "internalPort");
        Checks.port(adminPort, "adminPort");
        rack = rack == null ? Optional.empty() : rack;
        rack.ifPresent(r -> {
            if (!ZkNames.isValidName(r)) {
                throw new IllegalArgumentException("rack '" + r + "' must match " + ZkNames.NAME_REGEX);
            }
        });
        Checks.present(capacity, "capacity");
        Checks.present(state, "state");
        Checks.present(registeredAt, "registeredAt");
    }

    /** A node's first registration: state ACTIVE. */
    public static NodeRegistration active(String nodeId, String host, int dataPort, int internalPort, int adminPort,
                                          Optional<String> rack, NodeCapacity capacity, Instant registeredAt) {
        return new NodeRegistration(SCHEMA_V1, nodeId, host, dataPort, internalPort, adminPort, rack, capacity,
                NodeState.ACTIVE, registeredAt);
    }

    /** This registration in state {@code next}; refuses a change {@link NodeState#canBecome} does not allow. */
    public NodeRegistration withState(NodeState next) {
        if (!state.canBecome(next)) {
            throw new IllegalStateException("node " + nodeId + " cannot go from " + state + " to " + next);
        }
        return new NodeRegistration(schema, nodeId, host, dataPort, internalPort, adminPort, rack, capacity, next,
                registeredAt);
    }
}
