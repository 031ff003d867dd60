package io.stratakv.zk.records;

import io.stratakv.zk.ZkNames;

import java.time.Instant;

/**
 * {@code <root>/nodes/live/<nodeId>} (ephemeral): the node process is up and holds a ZooKeeper
 * session. Gone when the session expires.
 *
 * @param incarnation grows every time the node process starts (its registration epoch), so that
 *                    the controller can tell a restart (which may have lost unsynced log entries,
 *                    DESIGN.md §4.6) from a reconnect
 * @param startedAt   when this process started
 * @param version     the StrataKV software version it runs
 */
public record NodeLive(int schema, String nodeId, long incarnation, Instant startedAt, String version)
        implements ZkRecord {

    public NodeLive {
        ZkRecord.checkSchema(schema, NodeLive.class);
        ZkNames.requireNodeId(nodeId);
        if (incarnation < 1) {
            throw new IllegalArgumentException("incarnation " + incarnation + " must be at least 1");
        }
        Checks.present(startedAt, "startedAt");
        Checks.notBlank(version, "version");
    }

    public static NodeLive of(String nodeId, long incarnation, Instant startedAt, String version) {
        return new NodeLive(SCHEMA_V1, nodeId, incarnation, startedAt, version);
    }
}
