package io.stratakv.it.workload;

import io.stratakv.it.check.EpochObservation;
import io.stratakv.it.harness.Cluster;
import io.stratakv.it.history.Consistency;
import io.stratakv.it.history.History;
import io.stratakv.it.history.HistoryRecorder;
import io.stratakv.it.history.Op;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent clients against the balancers on a small set of keys (so keys are contended):
 * {@code STRONG} reads, {@code QUORUM}/{@code ALL} writes of unique values, and compare-and-set
 * ({@code ifVersion}) from the last version a client saw, each recorded as invoke then ok, fail or
 * info into one {@link HistoryRecorder}.
 *
 * <p>CAS maps onto the register model exactly: a version is the log offset of the write that set
 * the key and every value is written once, so "version is v" and "value is the value written at v"
 * are the same condition; {@code ifVersion=0} is "absent".
 *
 * <p>Besides the history it gathers epoch observations for {@code EpochChecker}: one per write
 * acknowledgement (the node that accepted it, from {@code X-Strata-Node}, the epoch and offset
 * from the node's answer) and, from a poller reading the partition znodes every 200 ms, the
 * leader of each (partition, epoch) ZooKeeper published.
 */
public final class Workload implements AutoCloseable {
    private static final int FINAL_PROCESS_BASE = 1000;
    private static final int ZK_POLLER = -1;
    private static final int DIRECT_PROCESS_BASE = 500;
    private int directClients;

    private final Cluster cluster;
    private final int clients;
    private final List<String> keys;
    private final long seed;
    private final HistoryRecorder recorder = new HistoryRecorder();
    private final List<EpochObservation> ackObservations = new CopyOnWriteArrayList<>();
    private final List<EpochObservation> zkObservations = new CopyOnWriteArrayList<>();
    private final Map<String, String> zkLeaders = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong unattributedAcks = new AtomicLong();
    private final Map<String, Long> unattributedWhy = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Duration requestTimeout = Duration.ofSeconds(3);

    public Workload(Cluster cluster, int clients, int keyCount, long seed) {
        this.cluster = cluster;
        this.clients = clients;
        this.seed = seed;
        List<String> ks = new ArrayList<>();
        for (int i = 0; i < keyCount; i++) ks.add("key" + i);
        this.keys = List.copyOf(ks);
    }

    public List<String> keys() {
        return keys;
    }

    public synchronized void start() {
        if (!running.compareAndSet(false, true)) throw new IllegalStateException("already running");
        List<URI> balancers = cluster.balancerUris();
        for (int c = 0; c < clients; c++) {
            int process = c;
            KvHttp http = new KvHttp(balancers.get(c % balancers.size()), requestTimeout);
            Thread t = new Thread(() -> clientLoop(process, http, new Random(seed * 31 + process)), "client-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        Thread poller = new Thread(this::pollZooKeeper, "zk-epoch-poller");
        poller.setDaemon(true);
        threads.add(poller);
        poller.start();
    }

    /**
     * Adds {@code count} clients that talk straight to the node {@code host} (no balancer, no
     * epoch), from process id {@code 500 + n}: a deposed leader must refuse them or answer them
     * correctly, which the checkers then judge like every other operation.
     */
    public synchronized void startDirectClients(String host, int count) {
        if (!running.get()) throw new IllegalStateException("not running");
        for (int i = 0; i < count; i++) {
            int process = DIRECT_PROCESS_BASE + directClients++;
            KvHttp http = KvHttp.direct(cluster.nodeUri(host), requestTimeout);
            Thread t = new Thread(() -> clientLoop(process, http, new Random(seed * 17 + process)), "direct-" + process);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Stops the clients and waits for their last operations to complete. */
    public synchronized void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) t.join(requestTimeout.toMillis() + 5_000);
        threads.clear();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private record Seen(String value, long version) {
    }

    private void clientLoop(int process, KvHttp http, Random random) {
        Map<String, Seen> seen = new HashMap<>();
        long seq = 0;
        while (running.get()) {
            String key = keys.get(random.nextInt(keys.size()));
            double dice = random.nextDouble();
            if (dice < 0.4) {
                Op inv = recorder.invokeRead(process, key, Consistency.STRONG);
                KvHttp.Answer a = http.read(key);
                count("read", a.outcome());
                if (a.outcome() == KvHttp.Outcome.OK) {
                    recorder.okRead(inv, a.value());
                    if (a.version() >= 0) seen.put(key, new Seen(a.value(), a.version()));
                } else {
                    recorder.fail(inv, a.error());
                }
            } else {
                String value = "p" + process + "-" + (++seq);
                boolean cas = dice >= 0.75;
                Consistency consistency = random.nextInt(5) == 0 ? Consistency.ALL : Consistency.QUORUM;
                Seen s = seen.get(key);
                long ifVersion = -1;
                Op inv;
                if (cas) {
                    ifVersion = s == null ? 0 : s.version();
                    inv = recorder.invokeCas(process, key, s == null ? null : s.value(), value, consistency);
                } else {
                    inv = recorder.invokeWrite(process, key, value, consistency);
                }
                String requestId = "w-" + process + "-" + seq + "-" + UUID.randomUUID();
                KvHttp.Answer a = http.write(key, value, consistency.name(), ifVersion, requestId);
                count(cas ? "cas" : "write", a.outcome());
                switch (a.outcome()) {
                    case OK -> {
                        recorder.ok(inv);
                        if (a.version() > 0) seen.put(key, new Seen(value, a.version()));
                        observeAck(process, a, requestId);
                    }
                    case FAIL -> {
                        recorder.fail(inv, a.error());
                        seen.remove(key);
                    }
                    case INFO -> {
                        recorder.info(inv, a.error());
                        seen.remove(key);
                    }
                }
            }
            pause(random.nextInt(15));
        }
    }

    private void observeAck(int process, KvHttp.Answer a, String requestId) {
        if (a.partition() < 0 || a.epoch() < 0 || a.offset() < 0) {
            unattributedAcks.incrementAndGet();
            unattributedWhy.merge("partition " + a.partition() + " epoch " + a.epoch() + " offset " + a.offset()
                    + (a.duplicate() ? " duplicate" : ""), 1L, Long::sum);
            return;
        }
        String partition = Cluster.KEYSPACE + "/" + a.partition();
        Optional<String> leader = a.node().or(() -> Optional.ofNullable(zkLeaders.get(partition + "@" + a.epoch())));
        if (leader.isEmpty()) {
            unattributedAcks.incrementAndGet();
            unattributedWhy.merge("no node header and no znode leader for epoch " + a.epoch(), 1L, Long::sum);
            return;
        }
        ackObservations.add(new EpochObservation(process, partition, a.epoch(), leader.get(), a.offset(), requestId, true));
    }

    private void pollZooKeeper() {
        while (running.get()) {
            try {
                for (PartitionRecord p : cluster.partitions()) {
                    if (p.state() != PartitionState.ONLINE || p.leader().isEmpty()) continue;
                    String partition = p.keyspace() + "/" + p.partitionId();
                    String leader = p.leader().get();
                    if (zkLeaders.putIfAbsent(partition + "@" + p.leaderEpoch(), leader) == null
                            || !leader.equals(zkLeaders.get(partition + "@" + p.leaderEpoch()))) {
                        zkObservations.add(new EpochObservation(ZK_POLLER, partition, p.leaderEpoch(), leader, 0,
                                "znode", false));
                    }
                }
            } catch (RuntimeException e) {
                // ZooKeeper unreachable (a fault in progress): try again.
            }
            pause(200);
        }
    }

    /**
     * After {@link #stop()}: reads every key STRONG until it answers (within {@code timeout}),
     * recorded in the history, so the lost-write check sees the final state.
     *
     * @return the keys that could not be read
     */
    public List<String> finalReads(Duration timeout) {
        KvHttp http = new KvHttp(cluster.balancerUri(0), requestTimeout);
        List<String> unread = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                Op inv = recorder.invokeRead(FINAL_PROCESS_BASE + i, key, Consistency.STRONG);
                KvHttp.Answer a = http.read(key);
                if (a.outcome() == KvHttp.Outcome.OK) {
                    recorder.okRead(inv, a.value());
                    done = true;
                } else {
                    recorder.fail(inv, a.error());
                    pause(200);
                }
            }
            if (!done) unread.add(key);
        }
        return unread;
    }

    private void count(String function, KvHttp.Outcome o) {
        outcomes.computeIfAbsent(function + "." + o.name().toLowerCase(), k -> new AtomicLong()).incrementAndGet();
    }

    /** Counts per function and outcome, e.g. {@code write.ok=120}. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        outcomes.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public long okWrites() {
        return counts().entrySet().stream()
                .filter(e -> e.getKey().equals("write.ok") || e.getKey().equals("cas.ok"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    public History history() {
        return recorder.history();
    }

    public List<EpochObservation> ackObservations() {
        return List.copyOf(ackObservations);
    }

    public List<EpochObservation> zkObservations() {
        return List.copyOf(zkObservations);
    }

    public long unattributedAcks() {
        return unattributedAcks.get();
    }

    /** Why acknowledgements could not become epoch observations, with counts. */
    public Map<String, Long> unattributedReasons() {
        return Map.copyOf(unattributedWhy);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
