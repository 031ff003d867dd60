package io.stratakv.controller.election;

import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.controller.core.Elector;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.controller.core.NodeHealth;
import io.stratakv.controller.membership.Membership;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.contract.FenceResponse;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedOutException;
import io.stratakv.zk.fence.FencedWrite;
import io.stratakv.zk.fence.FencedWriteException;
import io.stratakv.zk.fence.NoZNodeException;
import io.stratakv.zk.fence.VersionConflictException;
import io.stratakv.zk.records.KeyspaceRecord;
import io.stratakv.zk.records.NodeRegistration;
import io.stratakv.zk.records.NodeState;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Partition leader election, DESIGN.md §4.3.
 *
 * <ol>
 *   <li>Record the new epoch first: one fenced compare-and-set turns the partition znode into
 *       {@code ELECTING} at {@code E = leaderEpoch + 1} with the new voters and learners, so no node
 *       is ever fenced at an epoch ZooKeeper does not already hold. (A retry by the same controller
 *       term of its own unfinished election with the same members reuses E: the nodes are fenced
 *       at it already, and fencing is idempotent.)</li>
 *   <li>Fence every live member (voters and learners) at E, in parallel, each with the node
 *       timeout. Only answers that say "fenced at E" count.</li>
 *   <li>A majority of the new voters must answer. Otherwise the partition stays ELECTING (no
 *       leader) — unless its keyspace opted into unclean election, which then picks the best
 *       answering voter and says at WARN what may be lost.</li>
 *   <li>The leader is an answering voter with the highest (lastEpoch, endOffset): every entry
 *       committed before E is on a majority, so on at least one answering voter, and the most
 *       up-to-date one has it. Learners never lead. {@code preferred} wins only among the
 *       maximal voters, never against them.</li>
 *   <li>Publish {@code online(leader)} at E with a compare-and-set on the version written in
 *       step 1. Any conflict means someone else moved the partition: reread and return what is
 *       there, never overwrite it. So epochs never go backwards and one epoch has at most one
 *       leader.</li>
 * </ol>
 * A {@link FencedOutException} makes the controller step down ({@link ControllerLeadership#fencedOut()})
 * and is rethrown. Elections of one partition run one at a time in this controller (a lock per
 * partition); different partitions run concurrently. Thread-safe.
 */
public final class PartitionElector implements Elector, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionElector.class);

    /** Picks among the most up-to-date voters: healthier nodes first, then replica order. */
    private static final List<NodeHealth> HEALTH_PREFERENCE =
            List.of(NodeHealth.ACTIVE, NodeHealth.SUSPECT, NodeHealth.DECOMMISSIONING);

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final NodeClient nodes;
    private final Membership membership;
    private final ControllerLeadership leadership;
    private final Duration nodeTimeout;
    private final ElectionMetrics metrics;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public PartitionElector(CuratorFramework client, ZkLayout layout, NodeClient nodes, Membership membership,
                            ControllerLeadership leadership, Duration nodeTimeout, ElectionMetrics metrics) {
        this.client = client;
        this.layout = layout;
        this.nodes = nodes;
        this.membership = membership;
        this.leadership = leadership;
        this.nodeTimeout = nodeTimeout;
        this.metrics = metrics;
    }

    @Override
    public Versioned<PartitionRecord> elect(ControllerFence fence, Versioned<PartitionRecord> partition,
                                            List<String> voters, List<String> learners,
                                            Optional<String> preferred) throws Exception {
        PartitionRecord p = partition.value();
        ReentrantLock lock = locks.computeIfAbsent(p.keyspace() + "/" + p.partitionId(), k -> new ReentrantLock());
        lock.lock();
        try (var timer = metrics.startElection()) {
            Versioned<PartitionRecord> out = run(fence, partition, voters, learners, preferred);
            if (!out.value().state().hasLeader()) {
                metrics.failed();
            }
            return out;
        } catch (Exception e) {
            metrics.failed();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    private Versioned<PartitionRecord> run(ControllerFence fence, Versioned<PartitionRecord> partition,
                                           List<String> voters, List<String> learners,
                                           Optional<String> preferred) throws Exception {
        PartitionRecord current = partition.value();
        String name = current.keyspace() + "/" + current.partitionId();
        String path = layout.partition(current.keyspace(), current.partitionId());
        if (!leadership.isActing()) {
            LOG.info("partition {}: not electing, this controller is not acting", name);
            return partition;
        }
        if (current.state() == PartitionState.RETIRED) {
            throw new IllegalStateException("partition " + name + " is RETIRED; it has no leader to elect");
        }

        // (a) Record E before anyone is asked.
        PartitionRecord electing;
        int version;
        boolean resumeOwn = current.state() == PartitionState.ELECTING && current.controllerEpoch() == fence.epoch()
                && current.replicas().equals(voters) && current.learners().equals(learners);
        if (resumeOwn) {
            electing = current;
            version = partition.version();
        } else {
            electing = current.electing(voters, learners, fence.epoch());
            Optional<Integer> written = write(fence, path, electing, partition.version(), name);
            if (written.isEmpty()) {
                return reread(path, partition);
            }
            version = written.get();
        }
        long epoch = electing.leaderEpoch();
        LOG.info("partition {}: {} at epoch {} (voters {}, learners {}, controller epoch {})", name,
                resumeOwn ? "resuming its election" : "electing", epoch, voters, learners, fence.epoch());

        // (b) Fence every live member at E.
        Map<String, FenceResponse> answers = fenceAll(fence, electing, name);
        Map<String, FenceResponse> voterAnswers = new LinkedHashMap<>();
        for (String v : voters) {
            if (answers.containsKey(v)) {
                voterAnswers.put(v, answers.get(v));
            }
        }

        // (c) A majority of the new voters, or (opt-in) unclean.
        boolean unclean = false;
        if (voterAnswers.size() < electing.quorum()) {
            if (voterAnswers.isEmpty() || !uncleanAllowed(current.keyspace())) {
                LOG.warn("partition {}: epoch {} has no leader: only {} of {} voters answered (need {}): {}; "
                                + "it stays ELECTING and is retried", name, epoch, voterAnswers.size(), voters.size(),
                        electing.quorum(), voterAnswers.keySet());
                return new Versioned<>(electing, version);
            }
            unclean = true;
        }

        // (d) The most up-to-date voter.
        String leader = choose(voters, voterAnswers, preferred);
        if (unclean) {
            warnUnclean(name, epoch, electing, leader, voterAnswers, answers);
            metrics.unclean();
        }

        // (e) Publish with a compare-and-set on the version from (a).
        if (!leadership.isActing()) {
            LOG.info("partition {}: stopped acting before publishing epoch {}; it stays ELECTING", name, epoch);
            return new Versioned<>(electing, version);
        }
        PartitionRecord online = electing.online(leader, fence.epoch());
        Optional<Integer> published = write(fence, path, online, version, name);
        if (published.isEmpty()) {
            return reread(path, partition);
        }
        FenceResponse won = voterAnswers.get(leader);
        LOG.info("partition {}: {} leads at epoch {} (lastEpoch {}, endOffset {}; {} of {} voters answered)", name,
                leader, epoch, won.lastEpoch(), won.endOffset(), voterAnswers.size(), voters.size());
        return new Versioned<>(online, published.get());
    }

    /** The answering voter with the highest (lastEpoch, endOffset); among ties preferred, then health, then order. */
    static String choose(List<String> voters, Map<String, FenceResponse> voterAnswers, Optional<String> preferred,
                         java.util.function.Function<String, NodeHealth> health) {
        Comparator<FenceResponse> position = Comparator.comparingLong(FenceResponse::lastEpoch)
                .thenComparingLong(FenceResponse::endOffset);
        FenceResponse best = voterAnswers.values().stream().max(position).orElseThrow();
        List<String> top = voters.stream().filter(voterAnswers::containsKey)
                .filter(v -> position.compare(voterAnswers.get(v), best) == 0).toList();
        if (preferred.isPresent() && top.contains(preferred.get())) {
            return preferred.get();
        }
        return top.stream().min(Comparator.comparingInt((String v) -> {
            int i = HEALTH_PREFERENCE.indexOf(health.apply(v));
            return i < 0 ? HEALTH_PREFERENCE.size() : i;
        }).thenComparingInt(voters::indexOf)).orElseThrow();
    }

    private String choose(List<String> voters, Map<String, FenceResponse> voterAnswers, Optional<String> preferred) {
        return choose(voters, voterAnswers, preferred, membership::health);
    }

    private Map<String, FenceResponse> fenceAll(ControllerFence fence, PartitionRecord electing, String name)
            throws Exception {
        LinkedHashSet<String> members = new LinkedHashSet<>(electing.replicas());
        members.addAll(electing.learners());
        FenceRequest request = new FenceRequest(electing.keyspace(), electing.partitionId(), electing.leaderEpoch(),
                fence.epoch(), electing.replicas(), electing.learners());
        Map<String, CompletableFuture<FenceResponse>> calls = new LinkedHashMap<>();
        for (String id : members) {
            Optional<NodeRegistration> reg = liveRegistration(id);
            if (reg.isEmpty()) {
                LOG.info("partition {}: member {} is not live; not fencing it", name, id);
                continue;
            }
            calls.put(id, CompletableFuture.supplyAsync(() -> {
                try {
                    return nodes.fence(reg.get(), request);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, this.calls));
        }
        // Each call has its own timeout; this bound only guards against a client that ignores it.
        long deadline = System.nanoTime() + 2 * nodeTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
        Map<String, FenceResponse> answers = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<FenceResponse>> c : calls.entrySet()) {
            try {
                FenceResponse r = c.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (r.fencedEpoch() == electing.leaderEpoch() && r.nodeId().equals(c.getKey())) {
                    answers.put(c.getKey(), r);
                } else {
                    LOG.warn("partition {}: {} answered for epoch {} (node {}), not {}; ignored", name, c.getKey(),
                            r.fencedEpoch(), r.nodeId(), electing.leaderEpoch());
                }
            } catch (TimeoutException e) {
                c.getValue().cancel(true);
                LOG.info("partition {}: {} did not answer the fence at epoch {} in time", name, c.getKey(),
                        electing.leaderEpoch());
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.info("partition {}: {} did not fence at epoch {}: {}", name, c.getKey(), electing.leaderEpoch(),
                        e.getCause().toString());
            }
        }
        return answers;
    }

    /** The registration of a member whose live znode exists (a fresh read), unless it is REMOVED. */
    private Optional<NodeRegistration> liveRegistration(String nodeId) throws Exception {
        if (client.checkExists().forPath(layout.liveNode(nodeId)) == null) {
            return Optional.empty();
        }
        return ZkCodec.read(client, layout.registeredNode(nodeId), NodeRegistration.class).map(Versioned::value)
                .filter(r -> r.state() != NodeState.REMOVED);
    }

    private boolean uncleanAllowed(String keyspace) throws Exception {
        return ZkCodec.read(client, layout.keyspace(keyspace), KeyspaceRecord.class)
                .map(k -> k.value().uncleanElection()).orElse(false);
    }

    private static void warnUnclean(String name, long epoch, PartitionRecord electing, String leader,
                                    Map<String, FenceResponse> voterAnswers, Map<String, FenceResponse> answers) {
        FenceResponse chosen = voterAnswers.get(leader);
        FenceResponse highest = answers.values().stream().max(Comparator.comparingLong(FenceResponse::lastEpoch)
                .thenComparingLong(FenceResponse::endOffset)).orElse(chosen);
        List<String> silent = new ArrayList<>(electing.replicas());
        silent.removeAll(voterAnswers.keySet());
        LOG.warn("UNCLEAN ELECTION of partition {} at epoch {}: only {} of {} voters answered (quorum {}), and the "
                        + "keyspace allows unclean election. {} leads with lastEpoch {}, endOffset {}. Voters that did "
                        + "not answer {} may hold committed, acknowledged entries beyond that; they will be truncated "
                        + "and LOST. Highest position seen: {} at (lastEpoch {}, endOffset {}), so at least {} entries "
                        + "are known to be lost.", name, epoch, voterAnswers.size(), electing.replicas().size(),
                electing.quorum(), leader, chosen.lastEpoch(), chosen.endOffset(), silent, highest.nodeId(),
                highest.lastEpoch(), highest.endOffset(),
                highest.lastEpoch() == chosen.lastEpoch() ? highest.endOffset() - chosen.endOffset() : "an unknown number of");
    }

    /**
     * One fenced compare-and-set of the partition znode. Empty when it lost the race (reread);
     * a deposed controller steps down and the exception propagates.
     */
    private Optional<Integer> write(ControllerFence fence, String path, PartitionRecord next, int version, String name)
            throws Exception {
        try {
            return Optional.of(FencedWrite.begin(client, fence).update(path, next, version).commit().version(path));
        } catch (FencedOutException e) {
            leadership.fencedOut();
            throw e;
        } catch (VersionConflictException | NoZNodeException e) {
            LOG.info("partition {}: changed concurrently while writing epoch {} {}; rereading", name,
                    next.leaderEpoch(), next.state());
            return Optional.empty();
        } catch (FencedWriteException e) {
            // Outcome may be unknown (connection trouble); the next pass rereads and retries.
            throw e;
        }
    }

    private Versioned<PartitionRecord> reread(String path, Versioned<PartitionRecord> fallback) throws Exception {
        return ZkCodec.read(client, path, PartitionRecord.class).orElse(fallback);
    }

    public void close() {
        calls.shutdownNow();
    }
}
