package io.stratakv.storage.log;

import java.util.Arrays;

/**
 * In-memory sparse index of one segment: about one entry per {@link #INTERVAL_BYTES} of records,
 * mapping an offset (relative to the segment base) to the byte position of its frame, so a read
 * scans at most one interval of frames instead of the segment from its start.
 *
 * <p>Each entry packs (relativeOffset &lt;&lt; 32 | position) into one long; both halves grow with
 * the entry index, so the packed longs are sorted and binary search works on them directly.
 *
 * <p>Threads: one writer at a time (the appender under the log's append lock, or recovery before
 * the log is published) adds entries; any number of readers look up concurrently without locks.
 * An entry is written before the volatile count that makes it visible; a grown array is published
 * before the count that needs it. Truncation needs readers excluded (the log's structure lock).
 */
final class SparseIndex {

    /** Like Kafka's index.interval.bytes default: 4 KiB of frames per entry, 8 bytes per entry. */
    static final int INTERVAL_BYTES = 4096;

    private volatile long[] entries = new long[8];
    private volatile int count;
    private long lastIndexedPosition = Long.MIN_VALUE / 2; // writer only

    /** Writer: index the frame at position if it is the first or an interval past the last entry. */
    void maybeAdd(int relativeOffset, int position) {
        if (position - lastIndexedPosition < INTERVAL_BYTES) {
            return;
        }
        long[] e = entries;
        int n = count;
        if (n == e.length) {
            e = Arrays.copyOf(e, n * 2);
            entries = e;
        }
        e[n] = ((long) relativeOffset << 32) | (position & 0xFFFFFFFFL);
        lastIndexedPosition = position;
        count = n + 1;
    }

    /**
     * The entry with the largest relative offset ≤ relativeOffset, packed; -1 if none (an empty
     * index, or an offset below the first entry).
     */
    long floor(int relativeOffset) {
        int n = count;
        long[] e = entries;
        long key = ((long) relativeOffset << 32) | 0xFFFFFFFFL;
        int lo = 0;
        int hi = n - 1;
        long found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (e[mid] <= key) {
                found = e[mid];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    static int relativeOffsetOf(long packed) {
        return (int) (packed >>> 32);
    }

    static int positionOf(long packed) {
        return (int) packed;
    }

    /** Drops entries for relative offsets ≥ relativeEnd. Readers must be excluded. */
    void truncate(int relativeEnd) {
        int n = count;
        long[] e = entries;
        while (n > 0 && relativeOffsetOf(e[n - 1]) >= relativeEnd) {
            n--;
        }
        count = n;
        lastIndexedPosition = n == 0 ? Long.MIN_VALUE / 2 : positionOf(e[n - 1]);
    }

    int size() {
        return count;
    }
}
