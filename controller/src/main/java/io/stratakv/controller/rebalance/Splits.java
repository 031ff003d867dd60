package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.AdminException;
import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedWrite;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.SplitPlan;
import org.apache.curator.framework.CuratorFramework;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Partition splits, controller side (DESIGN.md §5 "Resizing").
 *
 * <p>{@link #request}: one fenced multi moves the partition ONLINE → SPLITTING with a
 * {@link SplitPlan} naming two fresh child ids, and raises the keyspace's {@code nextPartitionId}
 * by two, both compare-and-set on the versions read, so ids are allocated once even under
 * concurrent requests or a failover.
 *
 * <p>{@link #complete}: one fenced multi creates the two children (the halves of the parent's
 * range, the parent's voters, OFFLINE at the parent's leader epoch so their first election takes
 * the next one; from then on each has its own epoch), retires the parent (keeping its plan so stale
 * readers learn where its range went) and adds one to the keyspace's partition count.
 *
 * <p>The node side: the leader of a SPLITTING partition appends a split entry to its log; every
 * replica that applies it builds the two children's stores from its state at that offset and then
 * reports {@code splitAt} in its status. {@link SplitTask} calls {@link #complete} once every voter
 * has reported (or a majority, after {@code splits.completeWithMajorityAfter}), and requests splits
 * above {@code splits.autoSplitBytes}. The admin call to complete stays for operators; it does not
 * check the reports, so it must only be made once a majority of the voters has split (else the
 * children's first election finds no replica holding their data and they stay OFFLINE). Calling it
 * on a partition already RETIRED by its split answers the completed split again (idempotent).
 */
public final class Splits {

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final ControllerLeadership leadership;
    private final Clock clock;

    public Splits(CuratorFramework client, ZkLayout layout, ControllerLeadership leadership, Clock clock) {
        this.client = client;
        this.layout = layout;
        this.leadership = leadership;
        this.clock = clock;
    }

    /** The keyspace and partition as found, after the checks every split call shares. */
    private record Target(Versioned<KeyspaceRecord> keyspace, Versioned<PartitionRecord> partition) {
    }

    private Target find(ClusterView view, String ks, int pid) {
        Versioned<KeyspaceRecord> k = view.keyspaces().get(ks);
        if (k == null || k.value().state() == KeyspaceState.DELETING) {
            throw new AdminException(ErrorCode.KEYSPACE_NOT_FOUND, "no keyspace '" + ks + "'", Map.of("keyspace", ks));
        }
        if (k.value().state() != KeyspaceState.ACTIVE) {
            throw new AdminException(ErrorCode.OPERATION_IN_PROGRESS, "keyspace '" + ks + "' is " + k.value().state());
        }
        Versioned<PartitionRecord> p = view.partitionsOf(ks).stream().filter(x -> x.value().partitionId() == pid)
                .findFirst().orElseThrow(() -> new AdminException(ErrorCode.PARTITION_NOT_FOUND,
                        "no partition " + ks + "/" + pid, Map.of("keyspace", ks, "partitionId", String.valueOf(pid))));
        if (p.value().state() == PartitionState.RETIRED) {
            SplitPlan s = p.value().split().orElseThrow();
            throw new AdminException(ErrorCode.PARTITION_NOT_FOUND, "partition " + ks + "/" + pid
                    + " was split into " + s.lowerPartitionId() + " and " + s.upperPartitionId(),
                    Map.of("lower", String.valueOf(s.lowerPartitionId()), "upper", String.valueOf(s.upperPartitionId())));
        }
        return new Target(k, p);
    }

    public PartitionRecord request(String ksText, String pidText) throws Exception {
        String ks = AdminWrites.keyspace(ksText);
        int pid = AdminWrites.partitionId(pidText);
        ControllerFence fence = AdminWrites.requireActive(leadership);
        Target t = find(ClusterView.read(client, layout), ks, pid);
        PartitionRecord p = t.partition().value();
        if (p.state() == PartitionState.SPLITTING) {
            SplitPlan s = p.split().orElseThrow();
            throw new AdminException(ErrorCode.OPERATION_IN_PROGRESS, "partition " + ks + "/" + pid + " is already splitting",
                    Map.of("lower", String.valueOf(s.lowerPartitionId()), "upper", String.valueOf(s.upperPartitionId())));
        }
        if (p.reassignment().isPresent()) {
            throw new AdminException(ErrorCode.OPERATION_IN_PROGRESS, "partition " + ks + "/" + pid
                    + " is moving replicas to " + p.reassignment().get().targetReplicas() + "; split it after the move");
        }
        if (p.state() != PartitionState.ONLINE) {
            throw new AdminException(ErrorCode.PARTITION_UNAVAILABLE, "partition " + ks + "/" + pid + " is " + p.state()
                    + "; it can split once it has a leader");
        }
        if (p.range().isSinglePosition()) {
            throw new AdminException(ErrorCode.INVALID_ARGUMENT, "partition " + ks + "/" + pid
                    + " owns a single hash position and cannot be split");
        }
        KeyspaceRecord k = t.keyspace().value();
        int lower = k.nextPartitionId();
        SplitPlan plan = new SplitPlan(lower, lower + 1, clock.instant());
        KeyspaceRecord allocated = new KeyspaceRecord(k.schema(), k.name(), k.partitions(), k.replicationFactor(),
                k.defaultWriteConsistency(), k.defaultReadConsistency(), k.uncleanElection(), k.options(), k.createdAt(),
                k.state(), k.nextPartitionId() + 2);
        PartitionRecord splitting = p.splitting(plan, fence.epoch());
        AdminWrites.commit(FencedWrite.begin(client, fence)
                .update(layout.partition(ks, pid), splitting, t.partition().version())
                .update(layout.keyspace(ks), allocated, t.keyspace().version()), leadership);
        return splitting;
    }

    /** The parent, retired, and its two children as published. */
    public record Completed(PartitionRecord parent, PartitionRecord lower, PartitionRecord upper) {
    }

    public Completed complete(String ksText, String pidText) throws Exception {
        String ks = AdminWrites.keyspace(ksText);
        int pid = AdminWrites.partitionId(pidText);
        ControllerFence fence = AdminWrites.requireActive(leadership);
        ClusterView view = ClusterView.read(client, layout);
        Optional<Completed> already = alreadyCompleted(view, ks, pid);
        if (already.isPresent()) {
            return already.get(); // idempotent: the control loop (or an earlier call) completed it
        }
        Target t = find(view, ks, pid);
        PartitionRecord p = t.partition().value();
        if (p.state() != PartitionState.SPLITTING) {
            throw new AdminException(p.split().isPresent() ? ErrorCode.PARTITION_UNAVAILABLE : ErrorCode.INVALID_ARGUMENT,
                    "partition " + ks + "/" + pid + " is " + p.state() + ", not SPLITTING");
        }
        SplitPlan plan = p.split().orElseThrow();
        HashRange.Halves halves = p.range().split();
        PartitionRecord lower = child(p, plan.lowerPartitionId(), halves.lower(), fence);
        PartitionRecord upper = child(p, plan.upperPartitionId(), halves.upper(), fence);
        PartitionRecord retired = p.retired(fence.epoch());
        KeyspaceRecord k = t.keyspace().value();
        KeyspaceRecord grown = new KeyspaceRecord(k.schema(), k.name(), k.partitions() + 1, k.replicationFactor(),
                k.defaultWriteConsistency(), k.defaultReadConsistency(), k.uncleanElection(), k.options(), k.createdAt(),
                k.state(), k.nextPartitionId());
        AdminWrites.commit(FencedWrite.begin(client, fence)
                .create(layout.partition(ks, lower.partitionId()), lower)
                .create(layout.partition(ks, upper.partitionId()), upper)
                .update(layout.partition(ks, pid), retired, t.partition().version())
                .update(layout.keyspace(ks), grown, t.keyspace().version()), leadership);
        return new Completed(retired, lower, upper);
    }

    /** A RETIRED partition whose two children exist: its split is complete. */
    private static Optional<Completed> alreadyCompleted(ClusterView view, String ks, int pid) {
        if (!view.keyspaces().containsKey(ks)) {
            return Optional.empty();
        }
        Map<Integer, PartitionRecord> byId = new java.util.HashMap<>();
        view.partitionsOf(ks).forEach(v -> byId.put(v.value().partitionId(), v.value()));
        PartitionRecord p = byId.get(pid);
        if (p == null || p.state() != PartitionState.RETIRED || p.split().isEmpty()) {
            return Optional.empty();
        }
        PartitionRecord lower = byId.get(p.split().get().lowerPartitionId());
        PartitionRecord upper = byId.get(p.split().get().upperPartitionId());
        return lower == null || upper == null ? Optional.empty() : Optional.of(new Completed(p, lower, upper));
    }

    private static PartitionRecord child(PartitionRecord parent, int id, HashRange range, ControllerFence fence) {
        return new PartitionRecord(PartitionRecord.SCHEMA_V1, parent.keyspace(), id, range, parent.replicas(), List.of(),
                Optional.empty(), parent.leaderEpoch(), PartitionState.OFFLINE, fence.epoch(), Optional.empty(),
                Optional.empty());
    }
}
