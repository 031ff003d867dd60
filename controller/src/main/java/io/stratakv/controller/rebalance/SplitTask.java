package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.AdminException;
import io.stratakv.controller.core.ClusterView;
import io.stratakv.controller.core.ControlLoop;
import io.stratakv.controller.membership.Membership;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.contract.PartitionStatus;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.KeyspaceState;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The control-loop duty for splits (DESIGN.md §5, controller/README.md "Splits"), on every pass:
 *
 * <ol>
 *   <li><b>Completion.</b> A SPLITTING partition whose voters all report, in their last status,
 *       that they split at the same offset ({@code splitAt}) is completed ({@link Splits#complete}):
 *       its children are published OFFLINE at its epoch, and the election task gives each its own
 *       leader and epoch. A node reports {@code splitAt} only once both children's stores are
 *       complete on it, so every voter can serve its children at once.
 *       <p>If only a majority has reported for {@code completeWithMajorityAfter} (a voter is down
 *       or stuck), it completes with that majority. That is safe: the split entry is committed
 *       (a majority applied it), the children's first election fences a majority of their voters and
 *       picks the highest {@code (lastEpoch, endOffset)}, and a voter that did not split reports a
 *       log that is empty ({@code (0, 0)} below the others' {@code (E, S+1)}), so it can never be
 *       chosen; it then catches up from the child's leader. Waiting for every voter first keeps that
 *       costly catch-up for the rare case.</li>
 *   <li><b>Automatic requests.</b> With {@code autoSplitBytes > 0}, an ONLINE partition (no
 *       replica move in progress) whose leader reports at least that many bytes is split
 *       ({@link Splits#request}), at most one partition per keyspace at a time.</li>
 * </ol>
 *
 * <p>State: only the time each partition first had a majority of reports (in memory; a new
 * controller starts the wait again, which only delays a majority completion).
 */
public final class SplitTask implements ControlLoop.Task {

    private static final Logger LOG = LoggerFactory.getLogger(SplitTask.class);

    private final Splits splits;
    private final Membership membership;
    private final SplitsConfiguration config;
    private final Clock clock;
    private final Map<String, Instant> majoritySince = new ConcurrentHashMap<>();

    public SplitTask(Splits splits, Membership membership, SplitsConfiguration config, Clock clock) {
        this.splits = splits;
        this.membership = membership;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public void run(ClusterView view, ControllerFence fence) throws Exception {
        for (Versioned<KeyspaceRecord> k : view.keyspaces().values()) {
            if (k.value().state() != KeyspaceState.ACTIVE) {
                continue;
            }
            String ks = k.value().name();
            List<PartitionRecord> parts = view.partitionsOf(ks).stream().map(Versioned::value).toList();
            boolean splitting = false;
            for (PartitionRecord p : parts) {
                if (p.state() == PartitionState.SPLITTING || p.state() == PartitionState.ELECTING && p.split().isPresent()) {
                    splitting = true;
                }
                if (p.state() == PartitionState.SPLITTING) {
                    maybeComplete(p);
                }
            }
            long threshold = config.getAutoSplitBytes().toBytes();
            if (threshold > 0 && !splitting) {
                maybeRequest(ks, parts, threshold);
            }
        }
    }

    /** The voters' reported split offsets (only voters that report one). */
    Map<String, Long> reports(PartitionRecord p) {
        Map<String, Long> out = new TreeMap<>();
        for (String voter : p.replicas()) {
            statusOf(voter, p).filter(s -> s.splitAt().isPresent()).ifPresent(s -> out.put(voter, s.splitAt().getAsLong()));
        }
        return out;
    }

    private void maybeComplete(PartitionRecord p) {
        String name = p.keyspace() + "/" + p.partitionId();
        Map<String, Long> reported = reports(p);
        if (reported.values().stream().distinct().count() > 1) {
            LOG.error("partition {}: voters report different split offsets {}; not completing", name, reported);
            return;
        }
        boolean all = reported.size() == p.replicas().size();
        if (!all) {
            if (reported.size() < p.quorum()) {
                majoritySince.remove(name);
                return;
            }
            Instant since = majoritySince.computeIfAbsent(name, n -> clock.instant());
            Duration waited = Duration.between(since, clock.instant());
            if (waited.toMillis() < config.getCompleteWithMajorityAfter().toMilliseconds()) {
                return;
            }
            List<String> missing = new ArrayList<>(p.replicas());
            missing.removeAll(reported.keySet());
            LOG.warn("partition {}: completing its split with a majority {}; {} did not split and catch up from the "
                    + "children's leaders", name, reported.keySet(), missing);
        }
        try {
            Splits.Completed c = splits.complete(p.keyspace(), Integer.toString(p.partitionId()));
            majoritySince.remove(name);
            LOG.info("partition {} split at offset {} into {} {} and {} {}", name, reported.values().iterator().next(),
                    c.lower().partitionId(), c.lower().range(), c.upper().partitionId(), c.upper().range());
        } catch (AdminException e) {
            LOG.info("partition {}: split not completed now: {}", name, e.getMessage());
        } catch (Exception e) {
            LOG.warn("partition {}: completing the split failed (retried next pass): {}", name, e.toString());
        }
    }

    private void maybeRequest(String ks, List<PartitionRecord> parts, long threshold) {
        for (PartitionRecord p : parts) {
            if (p.state() != PartitionState.ONLINE || p.reassignment().isPresent() || p.range().isSinglePosition()
                    || p.leader().isEmpty()) {
                continue;
            }
            Optional<PartitionStatus> s = statusOf(p.leader().get(), p);
            if (s.isEmpty() || s.get().sizeBytes() < threshold) {
                continue;
            }
            try {
                PartitionRecord r = splits.request(ks, Integer.toString(p.partitionId()));
                LOG.info("partition {}/{} holds {} bytes on its leader (threshold {}): split requested into {} and {}",
                        ks, p.partitionId(), s.get().sizeBytes(), threshold, r.split().orElseThrow().lowerPartitionId(),
                        r.split().orElseThrow().upperPartitionId());
            } catch (AdminException e) {
                LOG.info("partition {}/{}: automatic split not requested now: {}", ks, p.partitionId(), e.getMessage());
            } catch (Exception e) {
                LOG.warn("partition {}/{}: automatic split request failed (retried next pass): {}", ks,
                        p.partitionId(), e.toString());
            }
            return; // one per keyspace at a time
        }
    }

    private Optional<PartitionStatus> statusOf(String node, PartitionRecord p) {
        Optional<NodeStatus> ns = membership.lastStatus(node);
        return ns.flatMap(n -> n.partitions().stream()
                .filter(s -> s.keyspace().equals(p.keyspace()) && s.partitionId() == p.partitionId()).findFirst());
    }
}
