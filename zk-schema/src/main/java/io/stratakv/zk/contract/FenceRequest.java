package io.stratakv.zk.contract;

import io.stratakv.zk.ZkNames;

import java.util.List;
import java.util.Objects;

/**
 * Controller to node, {@code POST /internal/v1/partitions/{ks}/{pid}/fence}: fence your replica of
 * this partition at {@code epoch} (DESIGN.md §4.3). Afterwards the replica refuses anything from
 * an older epoch (client writes, fetches, fetch answers) and answers with {@link FenceResponse}.
 * Idempotent: fencing again at the same epoch answers the same way; a request with an epoch
 * below the replica's fenced epoch is refused with {@link ErrorCode#STALE_EPOCH}.
 *
 * @param controllerEpoch the sender's controller epoch; a node refuses a request older than the
 *                        newest controller epoch it has seen ({@link ErrorCode#STALE_EPOCH})
 * @param replicas        the voter set of the new epoch
 * @param learners        the learners of the new epoch
 */
public record FenceRequest(String keyspace, int partitionId, long epoch, long controllerEpoch,
                           List<String> replicas, List<String> learners) {
    public FenceRequest {
        ZkNames.requireKeyspace(keyspace);
        ZkNames.requirePartitionId(partitionId);
        if (epoch < 1 || controllerEpoch < 1) {
            throw new IllegalArgumentException("epoch " + epoch + " and controllerEpoch " + controllerEpoch
                    + " must be at least 1");
        }
        replicas = List.copyOf(Objects.requireNonNull(replicas, "replicas is required"));
        learners = learners == null ? List.of() : List.copyOf(learners);
    }
}
