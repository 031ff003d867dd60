package io.stratakv.node.replica;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.lsm.LsmTree;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node-wide memtable budget ({@code storage.memtableBudget}), shared by every local replica,
 * enforced the way RocksDB's {@code WriteBufferManager} does: the memtables of all replicas
 * (active and immutable) are summed, and when they hold too much the replica with the largest
 * active memtable is asked to switch it and flush in the background, then the next largest, until
 * the budget is respected again. {@code storage.memtableSize} stays each replica's own cap.
 *
 * <p>The rule ({@link #choose}, RocksDB's {@code ShouldFlush}): flush while the active memtables
 * together hold more than 7/8 of the budget, or while everything (immutables included) is over
 * the budget and the active memtables still hold at least half of it. Switching a memtable does
 * not free its memory (its flush does), so a switched one counts as leaving the active sum at once
 * but stays in the total until flushed. Immutables already waiting for their flush are not
 * switched again, which keeps a slow disk from turning the budget into a storm of tiny flushes.
 *
 * <p>The budget is soft: writers are never blocked by it, only by each engine's own brakes (a
 * full set of immutables, too many L0 files). Between two checks ({@link #CHECK_INTERVAL_MS}) and
 * while flushes run, the total may exceed the budget by what arrives meanwhile.
 *
 * <p>Threads: {@link #checkNow} runs on the budget's own scheduler thread (or a test's); it only
 * reads sizes and calls {@link PartitionStore#requestFlush}, which never waits for the flush.
 * Budget 0 means unlimited: no thread, nothing flushed, the gauges still report.
 */
public final class MemtableBudget implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MemtableBudget.class);

    /** How often the sum is checked: short next to the seconds a 64 MiB memtable takes to fill. */
    public static final long CHECK_INTERVAL_MS = 50;

    /** Node-wide metric names (not per partition: the budget is the node's). */
    public static final String TOTAL_BYTES = "storage.memtable.bytes";
    public static final String BUDGET_BYTES = "storage.memtable.budget-bytes";
    public static final String BUDGET_FLUSHES = "storage.memtable.budget-flushes";

    /** One replica's memtables as the policy sees them. */
    public record Sample<T>(T owner, long activeBytes, long immutableBytes, boolean switchable) {
    }

    private final long budgetBytes;
    private final int maxImmutableMemtables;
    private final Supplier<? extends Iterable<Replica>> replicas;
    private final MetricRegistry metrics;
    private final Counter flushes;
    private ScheduledExecutorService thread;

    /**
     * @param budgetBytes           the node's budget; 0 or less: unlimited
     * @param maxImmutableMemtables a replica with this many memtables waiting for flush is not switched again
     * @param replicas              the local replicas, read afresh at every check
     * @param metrics               the node's registry (null: a private one)
     */
    public MemtableBudget(long budgetBytes, int maxImmutableMemtables, Supplier<? extends Iterable<Replica>> replicas,
                          MetricRegistry metrics) {
        this.budgetBytes = Math.max(0, budgetBytes);
        this.maxImmutableMemtables = Math.max(1, maxImmutableMemtables);
        this.replicas = replicas;
        this.metrics = metrics == null ? new MetricRegistry() : metrics;
        this.flushes = this.metrics.counter(BUDGET_FLUSHES);
        this.metrics.gauge(TOTAL_BYTES, () -> (Gauge<Long>) this::totalBytes);
        this.metrics.gauge(BUDGET_BYTES, () -> (Gauge<Long>) () -> this.budgetBytes);
    }

    /** Starts the periodic check, unless the budget is unlimited. */
    public synchronized void start() {
        if (budgetBytes == 0 || thread != null) {
            return;
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strata-memtable-budget");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(() -> {
            try {
                checkNow();
            } catch (RuntimeException e) {
                LOG.warn("memtable budget check failed: {}", e.toString());
            }
        }, CHECK_INTERVAL_MS, CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
        LOG.info("memtable budget of {} bytes shared by every local replica", budgetBytes);
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.shutdownNow();
            thread = null;
        }
        metrics.remove(TOTAL_BYTES);
        metrics.remove(BUDGET_BYTES);
        metrics.remove(BUDGET_FLUSHES);
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** Active plus immutable memtable bytes of every local replica. */
    public long totalBytes() {
        long sum = 0;
        for (Replica r : replicas.get()) {
            LsmTree t = r.store().tree();
            sum += t.memtableBytes();
        }
        return sum;
    }

    /** Flushes the budget asked for so far. */
    public long flushesRequested() {
        return flushes.getCount();
    }

    /** One check: asks the replicas {@link #choose} names to flush; returns how many switched. */
    public int checkNow() {
        if (budgetBytes == 0) {
            return 0;
        }
        List<Sample<Replica>> samples = new ArrayList<>();
        for (Replica r : replicas.get()) {
            LsmTree t = r.store().tree();
            long active = t.activeMemtableBytes();
            long all = t.memtableBytes();
            boolean switchable = t.immutableMemtableCount() < maxImmutableMemtables;
            samples.add(new Sample<>(r, active, Math.max(0, all - active), switchable));
        }
        int switched = 0;
        for (Replica r : choose(budgetBytes, samples)) {
            try {
                if (r.store().requestFlush()) {
                    switched++;
                    flushes.inc();
                    LOG.debug("memtable budget: flushing {}", r.where());
                }
            } catch (RuntimeException e) {
                // A replica closing or failed: its memory goes with it; the next check sees the rest.
                LOG.debug("memtable budget: {} cannot flush now: {}", r.where(), e.toString());
            }
        }
        return switched;
    }

    /**
     * The policy, on plain numbers: the owners whose active memtables to switch, largest first.
     * Empty when the budget is unlimited (0) or respected.
     */
    public static <T> List<T> choose(long budgetBytes, List<Sample<T>> samples) {
        if (budgetBytes <= 0) {
            return List.of();
        }
        long active = 0;
        long total = 0;
        for (Sample<T> s : samples) {
            active += s.activeBytes();
            total += s.activeBytes() + s.immutableBytes();
        }
        List<Sample<T>> candidates = samples.stream()
                .filter(s -> s.switchable() && s.activeBytes() > 0)
                .sorted(Comparator.comparingLong((Sample<T> s) -> s.activeBytes()).reversed())
                .toList();
        List<T> chosen = new ArrayList<>();
        for (Sample<T> s : candidates) {
            if (!overBudget(budgetBytes, active, total)) {
                break;
            }
            chosen.add(s.owner());
            active -= s.activeBytes(); // leaves the active sum now; the total only once flushed
        }
        return chosen;
    }

    /** RocksDB's WriteBufferManager::ShouldFlush: mutable over 7/8, or all over and mutable at least half. */
    static boolean overBudget(long budgetBytes, long activeBytes, long totalBytes) {
        long mutableLimit = budgetBytes - budgetBytes / 8;
        return activeBytes > mutableLimit || (totalBytes > budgetBytes && activeBytes >= budgetBytes / 2);
    }
}
