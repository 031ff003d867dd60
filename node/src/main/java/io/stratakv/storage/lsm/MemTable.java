package io.stratakv.storage.lsm;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory write buffer: internal key → value in a concurrent skip list.
 *
 * <p>Invariants: entries are only added, never changed or removed; once the tree switches to a new
 * memtable this one is immutable and is read concurrently by gets, scans and the flush. One writer
 * at a time adds (the tree's write lock), any number of threads read. {@link #maxSequence} and
 * {@link #maxLogOffset} only grow.
 */
final class MemTable {

    /** Rough per-entry cost of the skip list node and key/value array headers. */
    private static final int ENTRY_OVERHEAD = 64;

    private final ConcurrentSkipListMap<byte[], byte[]> map = new ConcurrentSkipListMap<>(InternalKey.COMPARATOR);
    private final AtomicLong approximateBytes = new AtomicLong();
    private volatile long maxSequence;
    private volatile long maxLogOffset = -1;
    private final long id;

    MemTable(long id) {
        this.id = id;
    }

    long id() {
        return id;
    }

    /** Called under the tree's write lock. */
    void add(byte[] userKey, long sequence, byte type, byte[] value) {
        map.put(InternalKey.encode(userKey, sequence, type), value);
        approximateBytes.addAndGet(userKey.length + InternalKey.TRAILER + value.length + ENTRY_OVERHEAD);
        maxSequence = sequence;
    }

    void setMaxLogOffset(long offset) {
        if (offset > maxLogOffset) {
            maxLogOffset = offset;
        }
    }

    long maxLogOffset() {
        return maxLogOffset;
    }

    long maxSequence() {
        return maxSequence;
    }

    long approximateBytes() {
        return approximateBytes.get();
    }

    boolean isEmpty() {
        return map.isEmpty();
    }

    int entryCount() {
        return map.size();
    }

    /**
     * The newest entry of userKey with sequence ≤ snapshot, or null. The returned entry's key
     * carries the type (a tombstone is an answer too: the key is deleted).
     */
    Map.Entry<byte[], byte[]> get(byte[] userKey, long snapshot) {
        Map.Entry<byte[], byte[]> e = map.ceilingEntry(InternalKey.encode(userKey, snapshot, InternalKey.TYPE_SEEK));
        if (e != null && InternalKey.compareUserKey(e.getKey(), userKey) == 0) {
            return e;
        }
        return null;
    }

    InternalIterator iterator() {
        return new Iter(map);
    }

    private static final class Iter implements InternalIterator {
        private final ConcurrentNavigableMap<byte[], byte[]> map;
        private Iterator<Map.Entry<byte[], byte[]>> it;
        private Map.Entry<byte[], byte[]> current;

        Iter(ConcurrentNavigableMap<byte[], byte[]> map) {
            this.map = map;
        }

        @Override
        public boolean valid() {
            return current != null;
        }

        @Override
        public void seekToFirst() {
            it = map.entrySet().iterator();
            next();
        }

        @Override
        public void seek(byte[] internalTarget) {
            it = map.tailMap(internalTarget, true).entrySet().iterator();
            next();
        }

        @Override
        public void next() {
            current = it.hasNext() ? it.next() : null;
        }

        @Override
        public byte[] key() {
            return current.getKey();
        }

        @Override
        public byte[] value() {
            return current.getValue();
        }
    }
}
