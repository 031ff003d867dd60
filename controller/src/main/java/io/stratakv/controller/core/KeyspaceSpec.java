package io.stratakv.controller.core;

import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;

import java.util.Map;

/**
 * A keyspace as an operator asks for it (POST /admin/v1/keyspaces). Missing consistencies take
 * QUORUM and STRONG; uncleanElection is off unless asked for (it can lose acknowledged writes).
 */
public record KeyspaceSpec(String name, Integer partitions, Integer replicationFactor,
                           WriteConsistency defaultWriteConsistency, ReadConsistency defaultReadConsistency,
                           Boolean uncleanElection, Map<String, String> options) {
}
