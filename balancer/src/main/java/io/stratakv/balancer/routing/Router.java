package io.stratakv.balancer.routing;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratakv.balancer.client.NodeCallException;
import io.stratakv.balancer.client.NodeClient;
import io.stratakv.balancer.client.NodeRequest;
import io.stratakv.balancer.client.NodeResponse;
import io.stratakv.balancer.core.ClusterView;
import io.stratakv.balancer.core.KeyspaceRoutes;
import io.stratakv.balancer.core.PartitionMap;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.hash.KeyHash;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.ReadConsistency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sends one public request to the right node and retries it within its deadline.
 *
 * <p><b>Routing.</b> Writes and STRONG reads go to the partition's leader, naming its epoch
 * ({@code epoch=}) so that a deposed leader refuses them. EVENTUAL reads go to a replica picked
 * by {@link ReplicaChooser}; SESSION reads too (the node decides whether it has applied the
 * client's position), and to the leader once a replica answers NOT_LEADER.
 *
 * <p><b>Retries</b>, each within the deadline, with {@link Backoff} between them:
 * <ul>
 *   <li>NOT_LEADER: if its epoch is newer than the map's, the partition is re-read from ZooKeeper;
 *       the named leader is followed at once (a few hops, then with backoff) as long as its epoch
 *       is not older than the map's.</li>
 *   <li>STALE_EPOCH, FENCED, or the node not knowing the keyspace or partition yet: re-read, back off.</li>
 *   <li>503 and 429: wait {@code Retry-After} (at least the backoff), or answer now if that wait
 *       would pass the deadline.</li>
 *   <li>No answer (connection refused, timeout): the node counts a failure in {@link NodeHealth};
 *       a read goes at once to another replica that has not failed in this request; a leader-only
 *       request waits for the map to change (a new leader) or the backoff, then tries again.</li>
 * </ul>
 *
 * <p><b>Writes.</b> Every write carries a request id (the servlet assigns one), the same on each
 * attempt, so retries are safe once nodes de-duplicate. Once any attempt may have reached a
 * node without a definite answer (timeout, connection lost after sending, a node's own 504 or an
 * unexpected 5xx), a write that does not end in a definite answer is answered 504
 * TIMEOUT_UNKNOWN_OUTCOME, never a plain failure.
 *
 * <p><b>SESSION.</b> The position forwarded to the node ({@code X-Strata-Position}) is the client's
 * token for the partition the request is routed to ({@link SessionTokens}), else the client's own
 * plain position. With neither, the read goes to the leader with position {@code 0:0}: the client
 * has written nothing there that it must see, and the leader answers from its applied state.
 *
 * <p><b>Partition by id.</b> A scan page names its partition ({@link KvRequest#partitionId}); if
 * the map no longer routes that partition (it was split or retired), the answer is at once
 * PARTITION_NOT_FOUND with {@code details.reason = map_changed}, so the caller re-plans.
 *
 * <p>Thread-safe: no mutable state of its own; one call per request thread.
 */
public final class Router {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final ObjectMapper JSON = StrataJson.newMapper();

    /** NOT_LEADER hops followed without backoff; more means the nodes disagree, so slow down. */
    static final int IMMEDIATE_REDIRECTS = 3;
    /**
     * Of the remaining deadline, the part the node is not given ({@code timeoutMs}), so that it
     * answers 504 itself before the balancer's own timeout cuts the connection.
     */
    static final Duration NODE_DEADLINE_MARGIN = Duration.ofMillis(50);

    private final PartitionMap map;
    private final NodeClient nodes;
    private final NodeHealth health;
    private final ReplicaChooser chooser;
    private final Backoff backoff;
    private final Counter retries;

    public Router(PartitionMap map, NodeClient nodes, NodeHealth health, ReplicaChooser chooser, Backoff backoff,
                  MetricRegistry metrics) {
        this.map = map;
        this.nodes = nodes;
        this.health = health;
        this.chooser = chooser;
        this.backoff = backoff;
        this.retries = metrics.counter(MetricRegistry.name("strata", "balancer", "retries"));
    }

    /** The current partition map (for callers that split a request by partition). */
    public PartitionMap map() {
        return map;
    }

    /** The next backoff wait of a request that has retried {@code n} times, counted as one retry. */
    private Duration retryDelay(Progress pr) {
        retries.inc();
        return backoff.delay(pr.retries++);
    }

    /** Reason in {@code details.reason} of the answer to a partition-by-id request whose partition is gone. */
    public static final String MAP_CHANGED = "map_changed";

    private record Target(String node, String address, long epoch, boolean leaderRouted) {
    }

    /** A leader named by a node's NOT_LEADER answer, newer than what the map holds. */
    private record Redirect(int partitionId, String node, long epoch) {
    }

    /** The mutable progress of one request through its attempts. */
    private static final class Progress {
        boolean leaderOnly;
        boolean ambiguous;
        int retries;
        int hops;
        Answer last;
        Redirect redirect;
        final Set<String> failed = new HashSet<>();
    }

    public Answer route(KvRequest req) throws InterruptedException {
        long hash = req.key() == null ? 0 : KeyHash.hash(req.key());
        Progress pr = new Progress();
        pr.leaderOnly = req.isWrite() || req.consistency().equals(ReadConsistency.STRONG.name());
        boolean session = req.consistency().equals(ReadConsistency.SESSION.name());
        while (true) {
            ClusterView view = map.view();
            Optional<KeyspaceRoutes> ks = view.keyspace(req.keyspace());
            if (ks.isEmpty()) {
                pr.last = Answer.error(ErrorCode.KEYSPACE_NOT_FOUND, "keyspace " + req.keyspace() + " does not exist");
                return finish(req, pr);
            }
            PartitionRecord p;
            if (req.partitionId() >= 0) {
                p = ks.get().routed().stream().filter(r -> r.partitionId() == req.partitionId()).findFirst().orElse(null);
                if (p == null) {
                    return Answer.error(ErrorCode.PARTITION_NOT_FOUND, "partition " + req.keyspace() + "/"
                            + req.partitionId() + " is no longer routed (the partition map changed)",
                            Map.of("reason", MAP_CHANGED, "partition", Integer.toString(req.partitionId())));
                }
            } else {
                p = ks.get().partitionForHash(hash).orElse(null);
            }
            String position = null;
            if (session && p != null) {
                position = req.session().forPartition(p.partitionId());
                if (position == null && !req.explicitPosition()) {
                    position = "0:0";
                    pr.leaderOnly = true; // nothing of the client's to see here: the leader answers at once
                }
            }
            Target t = p == null ? null : target(p, view, pr);
            if (t == null) {
                pr.last = Answer.error(ErrorCode.PARTITION_UNAVAILABLE, p == null
                        ? "no partition of " + req.keyspace() + " covers the key's hash in this balancer's map"
                        : "partition " + req.keyspace() + "/" + p.partitionId() + " has no reachable leader now ("
                        + p.state() + " at epoch " + p.leaderEpoch() + ")", partitionDetails(p));
                if (!awaitMapChange(req, view.generation(), retryDelay(pr))) {
                    return finish(req, pr);
                }
                continue;
            }
            Duration remaining = remaining(req);
            if (remaining.isNegative() || remaining.isZero()) {
                return finish(req, pr);
            }
            NodeResponse resp;
            if (!health.acquire(t.node(), remaining)) {
                pr.last = Answer.error(ErrorCode.OVERLOADED, "no free connection to node " + t.node()
                        + " before the deadline", Map.of("node", t.node()));
                return finish(req, pr);
            }
            long sent = System.nanoTime();
            try {
                resp = nodes.send(nodeRequest(req, t, remaining, position));
                health.latency(t.node(), System.nanoTime() - sent);
            } catch (IllegalArgumentException e) {
                // The JDK client refused to build the request (a header or URI it cannot send): nothing was sent.
                return Answer.error(ErrorCode.INVALID_ARGUMENT, "the request cannot be forwarded as given: "
                        + e.getMessage(), Map.of("reason", "unforwardable"));
            } catch (NodeCallException e) {
                if (!onNoAnswer(req, pr, p, t, e, view.generation())) {
                    return finish(req, pr);
                }
                continue;
            } finally {
                health.release(t.node());
            }
            Optional<Answer> done = onAnswer(req, pr, p, t, resp, view.generation());
            if (done.isPresent()) {
                return done.get();
            }
            if (remaining(req).isNegative()) {
                return finish(req, pr);
            }
        }
    }

    private Target target(PartitionRecord p, ClusterView view, Progress pr) {
        Redirect r = pr.redirect;
        if (r != null && r.partitionId() == p.partitionId()
                && (r.epoch() > p.leaderEpoch() || (r.epoch() == p.leaderEpoch() && p.leader().isEmpty()))) {
            Optional<String> addr = view.dataAddress(r.node());
            if (addr.isPresent()) {
                return new Target(r.node(), addr.get(), r.epoch(), true);
            }
        }
        if (!pr.leaderOnly) {
            Optional<String> pick = chooser.choose(p.replicas(), view.live(), pr.failed);
            if (pick.isPresent() && view.dataAddress(pick.get()).isPresent()) {
                boolean isLeader = p.leader().map(pick.get()::equals).orElse(false);
                return new Target(pick.get(), view.dataAddress(pick.get()).get(), p.leaderEpoch(), isLeader);
            }
        }
        if (p.leader().isEmpty()) {
            return null;
        }
        return view.dataAddress(p.leader().get())
                .map(a -> new Target(p.leader().get(), a, p.leaderEpoch(), true))
                .orElse(null);
    }

    private NodeRequest nodeRequest(KvRequest req, Target t, Duration remaining, String position) {
        long nodeMs = Math.max(1, remaining.minus(NODE_DEADLINE_MARGIN).toMillis());
        StringBuilder q = new StringBuilder(req.passQuery());
        append(q, "consistency=" + req.consistency());
        append(q, "timeoutMs=" + nodeMs);
        boolean leaderOnlyLevel = req.isWrite() || req.consistency().equals(ReadConsistency.STRONG.name());
        // A client's own epoch= is already in passQuery.
        if (req.clientEpoch() == null && t.leaderRouted() && t.epoch() >= 1 && leaderOnlyLevel) {
            append(q, "epoch=" + t.epoch());
        }
        Map<String, List<String>> headers = new LinkedHashMap<>(req.passHeaders());
        if (req.requestId() != null) {
            headers.put("X-Request-Id", List.of(req.requestId()));
        }
        if (position != null) {
            headers.keySet().removeIf(n -> n.equalsIgnoreCase("X-Strata-Position"));
            headers.put("X-Strata-Position", List.of(position));
        }
        return new NodeRequest(req.method(), t.address(), req.nodePath(), q.toString(), headers, req.body(), remaining);
    }

    private static void append(StringBuilder q, String param) {
        if (!q.isEmpty()) {
            q.append('&');
        }
        q.append(param);
    }

    /** Handles a call that got no HTTP answer; false if the request must be answered now. */
    private boolean onNoAnswer(KvRequest req, Progress pr, PartitionRecord p, Target t, NodeCallException e,
                               long generation) throws InterruptedException {
        health.failure(t.node());
        pr.failed.add(t.node());
        if (e.delivered() && req.isWrite()) {
            pr.ambiguous = true;
        }
        if (pr.redirect != null && pr.redirect.node().equals(t.node())) {
            pr.redirect = null;
        }
        LOG.debug("{} {} partition {} epoch {}: node {} gave no answer: {}", req.method(), req.nodePath(), p.partitionId(), t.epoch(), t.node(), e.getMessage());
        pr.last = Answer.error(ErrorCode.PARTITION_UNAVAILABLE, e.getMessage(), Map.of("node", t.node(),
                "partition", Integer.toString(p.partitionId())));
        if (!pr.leaderOnly && !pr.failed.containsAll(p.replicas())) {
            return !remaining(req).isNegative(); // another replica at once
        }
        if (!pr.leaderOnly) {
            pr.failed.clear(); // every replica failed once: back off, then start over
        }
        return awaitMapChange(req, generation, retryDelay(pr));
    }

    /** Handles a node's answer: the final answer, or empty to try again. */
    private Optional<Answer> onAnswer(KvRequest req, Progress pr, PartitionRecord p, Target t, NodeResponse resp,
                                      long generation) throws InterruptedException {
        int s = resp.status();
        ErrorBody err = s >= 400 ? errorBody(resp) : null;
        ErrorCode code = err == null ? null : err.code();
        if (s < 400) {
            health.success(t.node());
            return Optional.of(relay(req, p, t, resp));
        }
        switch (code == null ? ErrorCode.UNKNOWN : code) {
            case NOT_LEADER -> {
                health.success(t.node());
                pr.last = relay(req, p, t, resp);
                followLeader(req, pr, p, t, err);
                if (pr.redirect != null && !pr.redirect.node().equals(t.node()) && pr.hops++ < IMMEDIATE_REDIRECTS) {
                    return Optional.empty();
                }
                return awaitMapChange(req, generation, retryDelay(pr)) ? Optional.empty() : Optional.of(finish(req, pr));
            }
            case STALE_EPOCH, FENCED, KEYSPACE_NOT_FOUND, PARTITION_NOT_FOUND, PARTITION_SPLIT -> {
                // The node (or this map) is behind the other: re-read, then give ZooKeeper a moment.
                // PARTITION_SPLIT: nothing was applied; the split's children appear in the map shortly.
                health.success(t.node());
                pr.last = relay(req, p, t, resp);
                pr.redirect = null;
                refreshQuietly(req.keyspace(), p.partitionId());
                return awaitMapChange(req, generation, retryDelay(pr)) ? Optional.empty() : Optional.of(finish(req, pr));
            }
            case PARTITION_UNAVAILABLE, ZOOKEEPER_UNAVAILABLE, OVERLOADED -> {
                health.success(t.node());
                pr.last = relay(req, p, t, resp);
                pr.redirect = null;
                Duration wait = max(retryAfter(resp), retryDelay(pr));
                return sleepWithin(req, wait) ? Optional.empty() : Optional.of(finish(req, pr));
            }
            case TIMEOUT_UNKNOWN_OUTCOME -> {
                pr.ambiguous |= req.isWrite();
                pr.last = relay(req, p, t, resp);
                return sleepWithin(req, retryDelay(pr)) ? Optional.empty() : Optional.of(finish(req, pr));
            }
            default -> {
                if (s < 500) {
                    health.success(t.node());
                    return Optional.of(relay(req, p, t, resp)); // the node's definite answer: 404 KEY_NOT_FOUND, 412, 4xx
                }
                if (code == ErrorCode.REPLICATION_INCOMPLETE) {
                    health.success(t.node());
                    return Optional.of(relay(req, p, t, resp)); // definite: says whether it committed
                }
                // 500 or a 5xx without our error shape: the node failed somewhere, perhaps after appending.
                health.failure(t.node());
                pr.failed.add(t.node());
                pr.ambiguous |= req.isWrite();
                pr.last = relay(req, p, t, resp);
                return sleepWithin(req, retryDelay(pr)) ? Optional.empty() : Optional.of(finish(req, pr));
            }
        }
    }

    private void followLeader(KvRequest req, Progress pr, PartitionRecord p, Target t, ErrorBody err) {
        String leader = err.details().get("leader");
        long epoch = parseEpoch(err.details());
        if (epoch > p.leaderEpoch()) {
            refreshQuietly(req.keyspace(), p.partitionId());
        }
        pr.leaderOnly = true; // a SESSION read a replica could not serve goes to the leader
        pr.redirect = leader != null && epoch >= 1 ? new Redirect(p.partitionId(), leader, epoch) : null;
        LOG.debug("{} partition {}/{}: node {} is not leader at epoch {}; it names {} at epoch {}", req.method(),
                req.keyspace(), p.partitionId(), t.node(), t.epoch(), leader, epoch);
    }

    private static long parseEpoch(Map<String, String> details) {
        String e = details.getOrDefault("leaderEpoch", details.get("epoch"));
        try {
            return e == null ? 0 : Long.parseLong(e);
        } catch (NumberFormatException ex) {
            return 0;
        }
    }

    private void refreshQuietly(String keyspace, int partitionId) {
        try {
            map.refreshPartition(keyspace, partitionId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("partition {}/{}: re-read from ZooKeeper failed: {}", keyspace, partitionId, e.toString());
        }
    }

    private Answer relay(KvRequest req, PartitionRecord p, Target t, NodeResponse resp) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Strata-Partition", Integer.toString(p.partitionId()));
        h.put("X-Strata-Epoch", Long.toString(t.epoch()));
        // Which node answered: lets a client (and the it module's epoch checker) attribute an acknowledgement.
        h.put("X-Strata-Node", t.node());
        h.put("X-Strata-Consistency", req.consistency());
        resp.headers().forEach((name, values) -> {
            if (name.startsWith("x-strata-") && !values.isEmpty()) {
                h.put(name, values.getFirst());
            }
        });
        resp.header("Retry-After").ifPresent(v -> h.put("Retry-After", v));
        if (req.requestId() != null) {
            h.put("X-Request-Id", req.requestId());
        }
        return new Answer(resp.status(), h, resp.header("Content-Type").orElse(null), resp.body(), null);
    }

    private Answer finish(KvRequest req, Progress pr) {
        if (req.isWrite() && pr.ambiguous) {
            Map<String, String> d = new HashMap<>();
            d.put("requestId", req.requestId());
            Answer a = Answer.error(ErrorCode.TIMEOUT_UNKNOWN_OUTCOME, "the write reached a node but its outcome was not"
                    + " known before the deadline: it may or may not have been applied; retrying with the same"
                    + " X-Request-Id is safe", d);
            a.headers().put("X-Request-Id", req.requestId());
            return a;
        }
        if (pr.last != null) {
            return pr.last;
        }
        return Answer.error(ErrorCode.PARTITION_UNAVAILABLE, "no node answered before the deadline");
    }

    private static Map<String, String> partitionDetails(PartitionRecord p) {
        return p == null ? Map.of() : Map.of("partition", Integer.toString(p.partitionId()),
                "leaderEpoch", Long.toString(p.leaderEpoch()));
    }

    private static Duration remaining(KvRequest req) {
        return Duration.ofNanos(req.deadlineNanos() - System.nanoTime());
    }

    /** Waits for the map to change or {@code wait} to pass; false if that would pass the deadline. */
    private boolean awaitMapChange(KvRequest req, long generation, Duration wait) throws InterruptedException {
        Duration remaining = remaining(req);
        if (remaining.compareTo(Duration.ofMillis(1)) < 0) {
            return false;
        }
        map.awaitChange(generation, min(wait, remaining));
        return remaining(req).compareTo(Duration.ofMillis(1)) >= 0;
    }

    /** Waits {@code wait} unless that would pass the deadline (then false at once: answer now). */
    private static boolean sleepWithin(KvRequest req, Duration wait) throws InterruptedException {
        if (wait.compareTo(remaining(req)) >= 0) {
            return false;
        }
        Thread.sleep(wait);
        return true;
    }

    /** Retry-After in seconds (the only form StrataKV nodes send); zero if absent or unreadable. */
    static Duration retryAfter(NodeResponse resp) {
        return resp.header("Retry-After").map(v -> {
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim())));
            } catch (NumberFormatException e) {
                return Duration.ZERO;
            }
        }).orElse(Duration.ZERO);
    }

    private static ErrorBody errorBody(NodeResponse resp) {
        try {
            return JSON.readValue(resp.body(), ErrorBody.class);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
