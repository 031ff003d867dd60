package io.stratakv.zk.records;

import java.time.Instant;

/**
 * {@code <root>/cluster}: the cluster's identity, created once by the first controller. Nodes
 * remember {@link #clusterId} on disk and refuse to join a cluster with another id, so a data
 * directory is never attached to the wrong cluster.
 *
 * @param name      the cluster name (the last segment of the default root)
 * @param clusterId random, unique per cluster creation (a UUID string)
 * @param createdAt when the first controller created it
 */
public record ClusterRecord(int schema, String name, String clusterId, Instant createdAt) implements ZkRecord {
    public ClusterRecord {
        ZkRecord.checkSchema(schema, ClusterRecord.class);
        Checks.notBlank(name, "name");
        Checks.notBlank(clusterId, "clusterId");
        Checks.present(createdAt, "createdAt");
    }

    public static ClusterRecord of(String name, String clusterId, Instant createdAt) {
        return new ClusterRecord(SCHEMA_V1, name, clusterId, createdAt);
    }
}
