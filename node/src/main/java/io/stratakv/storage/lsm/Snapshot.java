package io.stratakv.storage.lsm;

/**
 * A point-in-time view: reads through it see exactly the writes with sequence ≤ {@link #sequence()}.
 * While it is open, compaction keeps every version it can see. Close it when done.
 */
public final class Snapshot implements AutoCloseable {

    private final long sequence;
    private final SnapshotList owner;
    private boolean released;

    Snapshot(long sequence, SnapshotList owner) {
        this.sequence = sequence;
        this.owner = owner;
    }

    public long sequence() {
        return sequence;
    }

    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            owner.release(sequence);
        }
    }
}
