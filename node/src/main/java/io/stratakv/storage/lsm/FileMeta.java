package io.stratakv.storage.lsm;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One SSTable as the manifest knows it. The key range is in internal keys; within a level ≥ 1 the
 * user-key ranges of files never overlap and one user key never spans two files.
 *
 * <p>{@link #refs} counts the live {@link Version}s that contain the file; the file is deleted when
 * it drops to zero (no reader can reach it any more).
 */
final class FileMeta {
    final long number;
    final long size;
    final byte[] smallest;
    final byte[] largest;
    final long entries;
    final AtomicInteger refs = new AtomicInteger();

    FileMeta(long number, long size, byte[] smallest, byte[] largest, long entries) {
        this.number = number;
        this.size = size;
        this.smallest = smallest;
        this.largest = largest;
        this.entries = entries;
    }

    /** True if the file's user-key range intersects [smallestUser, largestUser] (nulls are unbounded). */
    boolean overlapsUserRange(byte[] smallestUser, byte[] largestUser) {
        if (largestUser != null && InternalKey.compareUserKey(smallest, largestUser) > 0) {
            return false;
        }
        return smallestUser == null || InternalKey.compareUserKey(largest, smallestUser) >= 0;
    }

    boolean containsUserKey(byte[] userKey) {
        return InternalKey.compareUserKey(smallest, userKey) <= 0 && InternalKey.compareUserKey(largest, userKey) >= 0;
    }

    @Override
    public String toString() {
        return "#" + number + "[" + InternalKey.describe(smallest) + " .. " + InternalKey.describe(largest) + ", " + size + "B]";
    }
}
