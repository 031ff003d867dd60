package io.stratakv.node.replica;

import io.stratakv.node.replication.ReplicationClient;
import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.StoreOptions;

import java.net.URI;
import java.nio.file.Path;
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

    /** The engine settings the node's stores open with (a staged snapshot's trial open uses them too). */
    StoreOptions storeOptions();

    /**
     * Opens the partition's store in dir as the node opens every replica's (same settings, same
     * metrics prefix): a replica reopening after a snapshot install.
     */
    PartitionStore openStore(String keyspace, int partitionId, Path dir);

    /** Where a leader writes the checkpoints it streams as snapshots (emptied at start). */
    Path snapshotWorkDir();
}
