package io.stratakv.node.replica;

import io.stratakv.storage.SplitEntry;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.SplitPlan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a partition record's split plan (zk-schema {@link SplitPlan}) becomes the split entry of the
 * partition's log (storage {@link SplitEntry}, ENGINE.md "Split entry"), and the error a split
 * partition answers with. The children's ranges are {@link HashRange#split()} of the parent's, the
 * rule the controller uses when it publishes them, so the node and the controller cannot disagree.
 */
final class PartitionSplitting {

    private PartitionSplitting() {
    }

    /** Whether the controller asks this partition's leader to split. */
    static boolean asked(PartitionRecord rec) {
        return rec.state() == PartitionState.SPLITTING && rec.split().isPresent() && !rec.range().isSinglePosition();
    }

    static SplitEntry entryOf(PartitionRecord rec) {
        SplitPlan plan = rec.split().orElseThrow();
        HashRange.Halves h = rec.range().split();
        return new SplitEntry(plan.lowerPartitionId(), plan.upperPartitionId(), rec.range().start(), h.lower().end(),
                rec.range().end(), plan.requestedAt().toEpochMilli());
    }

    static String children(PartitionRecord rec) {
        return rec.split().map(p -> p.lowerPartitionId() + " and " + p.upperPartitionId()).orElse("unknown");
    }

    /** PARTITION_SPLIT (503, retryable): nothing applied here; the children take the range. */
    static ReplicaException splitError(PartitionRecord rec, String where) {
        Map<String, String> details = new LinkedHashMap<>();
        rec.split().ifPresent(p -> {
            details.put("lower", Integer.toString(p.lowerPartitionId()));
            details.put("upper", Integer.toString(p.upperPartitionId()));
        });
        return new ReplicaException(ErrorCode.PARTITION_SPLIT, "partition " + where + " "
                + (rec.state() == PartitionState.RETIRED ? "has split" : "is splitting") + " into partitions "
                + children(rec) + "; retry after rereading the partition map", details);
    }
}
