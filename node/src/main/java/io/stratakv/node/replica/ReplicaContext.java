package io.stratakv.node.replica;

import io.stratakv.node.replication.ReplicationClient;

import java.net.URI;
import java.util.Optional;

/** What a replica needs from its node: identity, where other nodes are, and a way to ask for a fresh read. */
public interface ReplicaContext {

    String nodeId();

    /** {@code http://host:internalPort} of a registered node, read fresh from ZooKeeper. */
    Optional<URI> internalAddress(String nodeId);

    /** Asks for a fresh read of the partition's znode soon (a newer epoch was seen somewhere). */
    void reread(String keyspace, int partitionId);

    ReplicationClient replicationClient();

    /** Longest a fetch is held at the leader when it finds nothing new (ms). */
    int fetchMaxWaitMs();

    int fetchMaxBytes();

    /** Pause before retrying a failed fetch (ms). */
    long fetchRetryMs();
}
