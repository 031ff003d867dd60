package io.stratakv.it.scenario;

import io.stratakv.it.check.EpochChecker;
import io.stratakv.it.check.LinearizabilityChecker;
import io.stratakv.it.check.LinearizabilityResult;
import io.stratakv.it.check.LostWriteChecker;
import io.stratakv.it.check.Verdict;
import io.stratakv.it.harness.Cluster;
import io.stratakv.it.harness.ClusterSpec;
import io.stratakv.it.history.History;
import io.stratakv.it.history.HistoryFile;
import io.stratakv.it.workload.Workload;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One fault scenario: a cluster, a workload against it, and at the end the checkers' verdicts.
 *
 * <pre>{@code
 * try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("kill-leader"))) {
 *     run.load(Duration.ofSeconds(5));
 *     run.cluster().kill(leader);
 *     run.load(Duration.ofSeconds(15));
 *     run.finishAndCheck();
 * }
 * }</pre>
 *
 * {@link #finishAndCheck()} stops the clients, heals the network, waits for every partition to
 * have a live leader, reads every key, runs the three checkers, prints ops, faults and verdicts,
 * saves the history, and fails on any violation. When the scenario fails anywhere,
 * {@link #close()} prints where each process's log is.
 */
public final class ScenarioRun implements AutoCloseable {
    public static final int CLIENTS = 8;
    public static final int KEYS = 6;
    /** Enough acknowledged writes that a VALID verdict means something. */
    private static final long MIN_OK_WRITES = 20;

    private final Cluster cluster;
    private final Workload workload;
    private final long startNanos = System.nanoTime();
    private final List<String> notes = new ArrayList<>();
    private boolean passed;

    private ScenarioRun(Cluster cluster, Workload workload) {
        this.cluster = cluster;
        this.workload = workload;
    }

    public static ScenarioRun start(ClusterSpec spec) {
        return start(spec, Long.getLong("scenario.seed", System.nanoTime()));
    }

    public static ScenarioRun start(ClusterSpec spec, long seed) {
        Cluster cluster = Cluster.start(spec);
        Workload w = new Workload(cluster, CLIENTS, KEYS, seed);
        w.start();
        System.out.println("[scenario] " + spec.name() + ": cluster up, " + CLIENTS + " clients on " + KEYS
                + " keys, seed " + seed + ", hosts in network namespaces: " + cluster.hasNetwork());
        return new ScenarioRun(cluster, w);
    }

    public Cluster cluster() {
        return cluster;
    }

    public Workload workload() {
        return workload;
    }

    /** Lets the clients run for {@code d}. */
    public void load(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    /**
     * Waits until the clients get {@code writes} more acknowledged writes (liveness after a fault
     * healed); fails after {@code timeout}.
     */
    public void awaitProgress(int writes, Duration timeout) {
        long target = workload.okWrites() + writes;
        Cluster.await(writes + " more acknowledged writes", timeout, () -> workload.okWrites() >= target);
    }

    /** The node leading the partition of {@code key}, waiting for one that is alive and not paused. */
    public String leaderOf(String key) {
        String[] leader = new String[1];
        Cluster.await("a live leader for " + key, Duration.ofSeconds(60), () -> {
            Optional<String> l = cluster.partitionOf(key).leader();
            if (l.isEmpty() || !cluster.process(l.get()).isAlive() || cluster.process(l.get()).isPaused()) return false;
            leader[0] = l.get();
            return true;
        });
        return leader[0];
    }

    public void note(String text) {
        notes.add(text);
        System.out.println("[scenario] " + cluster.spec().name() + ": " + text);
    }

    public record Verdicts(LinearizabilityResult linearizability, LostWriteChecker.Result lostWrites,
                           EpochChecker.Result ackEpochs, EpochChecker.Result zkEpochs) {
    }

    public Verdicts finishAndCheck() throws InterruptedException {
        workload.stop();
        if (cluster.hasNetwork()) cluster.heal();
        for (String h : cluster.hosts()) {
            if (cluster.process(h).isPaused()) cluster.resume(h);
        }
        cluster.awaitAllPartitionsOnline(Duration.ofSeconds(60));
        List<String> unread = workload.finalReads(Duration.ofSeconds(45));
        History history = workload.history();
        Path saved = cluster.root().resolve("history.jsonl");
        HistoryFile.write(history, saved);

        LinearizabilityResult lin = new LinearizabilityChecker(LinearizabilityChecker.DEFAULT_MAX_STEPS_PER_KEY,
                Duration.ofSeconds(60)).check(history);
        LostWriteChecker.Result lost = new LostWriteChecker().check(history, LostWriteChecker.finalReads(history));
        EpochChecker.Result acks = new EpochChecker().check(workload.ackObservations());
        EpochChecker.Result zk = new EpochChecker().check(workload.zkObservations());

        String name = cluster.spec().name();
        StringBuilder b = new StringBuilder();
        b.append("\n==== scenario ").append(name).append(" (").append(String.format("%.1f", (System.nanoTime() - startNanos) / 1e9))
                .append(" s) ====\n");
        b.append("operations: ").append(history.operations().size()).append(' ').append(workload.counts()).append('\n');
        b.append("faults:\n");
        cluster.faults().forEach(f -> b.append("  ").append(f).append('\n'));
        notes.forEach(n -> b.append("note: ").append(n).append('\n'));
        b.append("linearizability: ").append(lin).append('\n');
        b.append("lost writes: ").append(lost).append('\n');
        b.append("epochs (write acks): ").append(acks).append(", unattributed acks ").append(workload.unattributedAcks())
                .append(workload.unattributedAcks() > 0 ? " " + workload.unattributedReasons() : "").append('\n');
        b.append("epochs (partition znodes): ").append(zk).append('\n');
        b.append("history: ").append(saved).append('\n');
        System.out.println(b);

        assertThat(lin.verdict()).as("linearizability of %s:\n%s", name, lin).isNotEqualTo(Verdict.INVALID);
        assertThat(lost.lost()).as("lost acknowledged writes in %s:\n%s", name, lost).isEmpty();
        assertThat(acks.violations()).as("epoch violations (acks) in %s", name).isEmpty();
        assertThat(zk.violations()).as("epoch violations (znodes) in %s", name).isEmpty();
        assertThat(unread).as("keys that could not be read STRONG after the faults healed (liveness)").isEmpty();
        assertThat(workload.okWrites()).as("acknowledged writes in %s", name).isGreaterThanOrEqualTo(MIN_OK_WRITES);
        passed = true;
        return new Verdicts(lin, lost, acks, zk);
    }

    /** The leader of the partition of the first key, waiting for a live one. */
    public String leaderOfFirstKey() {
        return leaderOf(workload.keys().getFirst());
    }

    public Map<String, Long> counts() {
        return workload.counts();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            workload.stop();
        } finally {
            if (!passed) System.err.println("[scenario] FAILED; " + cluster.logSummary());
            cluster.close();
        }
    }
}
