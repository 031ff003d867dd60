package io.stratakv.node.replication;

/**
 * Follower to leader: send me records from {@code fromOffset} (REPLICATION_FORMAT.md).
 *
 * @param epoch       the leader epoch the follower follows; any other is refused
 * @param durableEnd  every offset below it is durable in the follower's log: its vote toward commit
 * @param knownCommit the commit end the follower already knows; the leader answers at once when its own is newer
 * @param readToken   the newest read-confirmation token the follower has seen (ReadIndex rounds)
 */
public record FetchRequest(String replicaId, long epoch, long fromOffset, long durableEnd, long knownCommit,
                           long readToken, int maxBytes, int maxWaitMs) {
}
