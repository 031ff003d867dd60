package io.stratakv.it.check;

import java.util.Objects;

/**
 * What one write acknowledgement told a client about the partition that accepted it.
 *
 * @param client the client (process) that received the acknowledgement
 * @param partition the partition, as {@code keyspace/id}
 * @param epoch the leader epoch the write was accepted in
 * @param leader the node that accepted it as leader
 * @param offset the log offset the write was appended at
 * @param writeId the client request id; a retry of the same write carries the same id
 * @param committed whether the acknowledgement promised the write was committed ({@code QUORUM}/{@code ALL})
 */
public record EpochObservation(int client, String partition, long epoch, String leader, long offset,
                               String writeId, boolean committed) {
    public EpochObservation {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(leader, "leader");
        Objects.requireNonNull(writeId, "writeId");
        if (epoch < 0 || offset < 0) throw new IllegalArgumentException("epoch and offset are non-negative");
    }

    @Override
    public String toString() {
        return "client " + client + " " + partition + " epoch " + epoch + " leader " + leader + " offset " + offset
                + " write " + writeId + (committed ? " committed" : "");
    }
}
