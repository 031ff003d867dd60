package io.stratakv.storage.log;

import java.util.ArrayList;
import java.util.List;

/**
 * The leader epochs of a log and the first offset of each: Kafka's leader-epoch cache, immutable.
 *
 * <p>Invariant: epochs strictly increase and so do start offsets. An epoch in which no record was
 * ever written is dropped as soon as a later epoch starts at the same offset, so "the end offset of
 * epoch E" is always "the start of the next entry".
 */
final class EpochHistory {

    static final EpochHistory EMPTY = new EpochHistory(List.of());

    private final List<EpochEntry> entries;

    EpochHistory(List<EpochEntry> entries) {
        for (int i = 0; i < entries.size(); i++) {
            EpochEntry e = entries.get(i);
            if (e.epoch() < 0 || e.startOffset() < 0) {
                throw new IllegalArgumentException("negative epoch entry " + e);
            }
            if (i > 0) {
                EpochEntry p = entries.get(i - 1);
                if (e.epoch() <= p.epoch() || e.startOffset() <= p.startOffset()) {
                    throw new IllegalArgumentException("epoch entries out of order: " + p + " then " + e);
                }
            }
        }
        this.entries = List.copyOf(entries);
    }

    List<EpochEntry> entries() {
        return entries;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** -1 if none. */
    long latestEpoch() {
        return entries.isEmpty() ? -1 : entries.get(entries.size() - 1).epoch();
    }

    /** Records epoch as starting at startOffset; entries starting at or after it held no record and go. */
    EpochHistory withNewEpoch(long epoch, long startOffset) {
        if (epoch <= latestEpoch()) {
            throw new IllegalArgumentException("epoch " + epoch + " is not newer than " + latestEpoch());
        }
        List<EpochEntry> out = new ArrayList<>(entries.size() + 1);
        for (EpochEntry e : entries) {
            if (e.startOffset() < startOffset) {
                out.add(e);
            }
        }
        out.add(new EpochEntry(epoch, startOffset));
        return new EpochHistory(out);
    }

    /** After dropping records ≥ newEndOffset: entries starting at or after it go. */
    EpochHistory truncateFrom(long newEndOffset) {
        return keepWhile(e -> e.startOffset() < newEndOffset);
    }

    /** At recovery: entries starting beyond the recovered end go (one starting exactly there stays). */
    EpochHistory dropBeyond(long endOffset) {
        return keepWhile(e -> e.startOffset() <= endOffset);
    }

    /**
     * After prefix truncation: entries wholly below logStart go and the one covering it now starts
     * there (Kafka's truncateFromStart).
     */
    EpochHistory clampToStart(long logStart) {
        List<EpochEntry> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            EpochEntry e = entries.get(i);
            boolean wholeBelow = i + 1 < entries.size() && entries.get(i + 1).startOffset() <= logStart;
            if (wholeBelow) {
                continue;
            }
            out.add(e.startOffset() < logStart ? new EpochEntry(e.epoch(), logStart) : e);
        }
        return out.equals(entries) ? this : new EpochHistory(out);
    }

    /** The epoch of the entry covering offset (the last one starting at or before it), or -1. */
    long epochAt(long offset) {
        int lo = 0;
        int hi = entries.size() - 1;
        long found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (entries.get(mid).startOffset() <= offset) {
                found = entries.get(mid).epoch();
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /**
     * Kafka's OffsetsForLeaderEpoch: for the largest epoch ≤ requested, that epoch and its end offset
     * (the next entry's start, or logEnd for the latest); (-1, -1) if requested is below them all.
     */
    EpochEntry endOffsetFor(long requestedEpoch, long logEnd) {
        int found = -1;
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).epoch() <= requestedEpoch) {
                found = i;
                break;
            }
        }
        if (found < 0) {
            return new EpochEntry(-1, -1);
        }
        long end = found + 1 < entries.size() ? entries.get(found + 1).startOffset() : logEnd;
        return new EpochEntry(entries.get(found).epoch(), end);
    }

    private EpochHistory keepWhile(java.util.function.Predicate<EpochEntry> keep) {
        List<EpochEntry> out = entries.stream().filter(keep).toList();
        return out.size() == entries.size() ? this : new EpochHistory(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EpochHistory h && h.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
