package io.stratakv.storage.lsm;

import java.util.TreeMap;

/** The sequences of live snapshots, with counts; compaction asks for the oldest. Thread-safe. */
final class SnapshotList {

    private final TreeMap<Long, Integer> live = new TreeMap<>();

    /** Test hook: runs on the acquiring thread just before a snapshot is registered. */
    Runnable beforeRegister;

    /**
     * Registers a snapshot at the sequence lastSequence gives, read under this list's lock: a
     * compaction's {@link #oldest} then either sees the snapshot or ran before its sequence was read.
     */
    Snapshot acquire(java.util.function.LongSupplier lastSequence) {
        Runnable hook = beforeRegister;
        if (hook != null) {
            hook.run();
        }
        return register(lastSequence);
    }

    private synchronized Snapshot register(java.util.function.LongSupplier lastSequence) {
        long sequence = lastSequence.getAsLong();
        live.merge(sequence, 1, Integer::sum);
        return new Snapshot(sequence, this);
    }

    synchronized void release(long sequence) {
        live.computeIfPresent(sequence, (k, n) -> n == 1 ? null : n - 1);
    }

    /** The oldest live snapshot's sequence, or ifNone when there is none. */
    synchronized long oldest(long ifNone) {
        return live.isEmpty() ? ifNone : live.firstKey();
    }

    synchronized int size() {
        return live.values().stream().mapToInt(Integer::intValue).sum();
    }
}
