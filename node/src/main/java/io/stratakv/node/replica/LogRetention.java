package io.stratakv.node.replica;

import io.stratakv.storage.PartitionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Log prefix truncation (DESIGN.md §3, "its memtable flushes let the log be truncated from the front
 * only after every replica that may still need those entries has them, or after a snapshot covers
 * them"), run periodically over a node's replicas:
 * <ul>
 *   <li>A leader moves its log start up to the lowest durable end its members (voters and
 *       learners) reported in their fetches at its epoch.</li>
 *   <li>Bounded retention: when the log is over {@code maxBytes} it truncates anyway (flushing the
 *       memtable first if the tables lag), and entries older than {@code maxAge} go too. A replica
 *       left below the new start catches up from a snapshot.</li>
 *   <li>A follower moves its start up to the leader's log start as its last fetch answer said.</li>
 *   <li>Always: never past the tree's persisted offset ({@link Replica#truncateLogPrefix}), so a
 *       restart still finds every entry it must replay.</li>
 * </ul>
 * Age is known only from samples taken by this task: (log end, time) at each run; everything below
 * a sample's end was appended by its time. So age-based truncation lags by up to one interval, and
 * after a restart counts ages from the restart (it keeps entries longer, never shorter).
 *
 * <p>Threads: one caller at a time (the manager's retention thread, or a test).
 */
public final class LogRetention {

    private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);

    /**
     * @param maxBytes     a leader's log past this size is truncated up to its flushed offset
     * @param maxAgeMillis entries older than this are truncated (up to the flushed offset) whoever still needs them
     * @param intervalMillis how often the task runs
     */
    public record Settings(long maxBytes, long maxAgeMillis, long intervalMillis) {
        public Settings {
            if (maxBytes < 1 || maxAgeMillis < 1 || intervalMillis < 1) {
                throw new IllegalArgumentException("retention maxBytes, maxAge and checkInterval must be positive");
            }
        }

        public static Settings defaults() {
            return new Settings(1L << 30, 24L * 3600 * 1000, 10_000);
        }
    }

    private record Sample(long end, long atMillis) {
    }

    private final Settings settings;
    private final Map<Replica, ArrayDeque<Sample>> samples = new ConcurrentHashMap<>();

    public LogRetention(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** One pass over the replicas. */
    public void runOnce(Collection<Replica> replicas) {
        long now = System.currentTimeMillis();
        samples.keySet().removeIf(Replica::isClosed);
        for (Replica r : replicas) {
            try {
                enforce(r, now);
            } catch (RuntimeException e) {
                LOG.warn("log retention of {}: {}", r.where(), e.toString());
            }
        }
    }

    /** Applies the rules to one replica; returns its log start afterwards (-1 if closed). */
    long enforce(Replica r, long nowMillis) {
        if (r.isClosed()) {
            return -1;
        }
        PartitionStore store = r.store();
        long start = store.log().startOffset();
        long ageTarget = sampleAndAgeTarget(r, store.log().endOffset(), nowMillis);
        Replica.View v = r.view();
        long target;
        String why;
        switch (v.state()) {
            case LEADER -> {
                LeaderTerm t = r.currentTerm();
                if (t == null || t.epoch != v.epoch()) {
                    return start;
                }
                target = t.minMemberDurableEnd();
                why = "every member holds it";
                if (store.log().sizeInBytes() > settings.maxBytes()) {
                    if (store.tree().persistedLogOffset() + 1 < store.commitEnd() && store.log().segmentCount() > 1) {
                        store.flush(); // so the cap can be met from the tables
                    }
                    target = Long.MAX_VALUE;
                    why = "the log is over retention.maxBytes (" + settings.maxBytes() + ")";
                } else if (ageTarget > target) {
                    target = ageTarget;
                    why = "entries below it are older than retention.maxAge";
                }
            }
            case FOLLOWER -> {
                target = r.leaderLogStartHeard;
                why = "the leader's log starts there";
            }
            default -> {
                return start;
            }
        }
        if (target <= start) {
            return start;
        }
        long now = r.truncateLogPrefix(target);
        if (now > start) {
            LOG.info("replica {}: log start {} -> {} ({}; tree persisted up to {})", r.where(), start, now, why,
                    store.tree().persistedLogOffset());
        }
        return now;
    }

    /** Records (end, now); returns the highest end below which every entry is older than maxAge, or -1. */
    private long sampleAndAgeTarget(Replica r, long end, long now) {
        ArrayDeque<Sample> q = samples.computeIfAbsent(r, k -> new ArrayDeque<>());
        synchronized (q) {
            if (q.isEmpty() || q.peekLast().end() != end) {
                q.addLast(new Sample(end, now));
            }
            Sample old = null;
            while (!q.isEmpty() && q.peekFirst().atMillis() <= now - settings.maxAgeMillis()) {
                old = q.pollFirst();
            }
            if (old == null) {
                return -1;
            }
            q.addFirst(old); // the newest old-enough sample stays for the next pass
            return old.end();
        }
    }
}
