package io.stratakv.ops.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory engine that remembers what the harness asked of it, so tests can check that each
 * workload does what it says. It keeps its contents after close.
 */
final class FakeEngine implements BenchEngine {

    final Path dir;
    final ConcurrentSkipListMap<byte[], byte[]> map = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    final AtomicLong puts = new AtomicLong();
    final AtomicLong gets = new AtomicLong();
    final AtomicLong deletes = new AtomicLong();
    final AtomicLong scans = new AtomicLong();
    volatile boolean putsInKeyOrder = true;
    volatile boolean closed;
    private volatile byte[] lastPut;
    private final AtomicLong bytesWritten = new AtomicLong();
    /** Drops every dropEvery-th put when above 0: an engine with a bug. */
    private final int dropEvery;

    FakeEngine(Path dir, int dropEvery) {
        this.dir = dir;
        this.dropEvery = dropEvery;
    }

    /** An opener that collects every engine it opens. */
    static EngineBench.EngineOpener opener(List<FakeEngine> opened, int dropEvery) {
        return dir -> {
            FakeEngine e = new FakeEngine(dir, dropEvery);
            opened.add(e);
            return e;
        };
    }

    static List<FakeEngine> newList() {
        return new CopyOnWriteArrayList<>();
    }

    /** The workload this engine was opened for, from its directory name (side-workload). */
    String workload() {
        String name = dir.getFileName().toString();
        return name.substring(name.indexOf('-') + 1);
    }

    @Override
    public void put(byte[] key, byte[] value) {
        long n = puts.incrementAndGet();
        byte[] last = lastPut;
        if (last != null && Arrays.compareUnsigned(last, key) >= 0) {
            putsInKeyOrder = false;
        }
        lastPut = key;
        bytesWritten.addAndGet(key.length + value.length);
        if (dropEvery > 0 && n % dropEvery == 0) {
            return;
        }
        map.put(key, value);
    }

    @Override
    public byte[] get(byte[] key) {
        gets.incrementAndGet();
        return map.get(key);
    }

    @Override
    public void delete(byte[] key) {
        deletes.incrementAndGet();
        bytesWritten.addAndGet(key.length);
        map.remove(key);
    }

    @Override
    public Cursor scan(byte[] fromInclusive) {
        scans.incrementAndGet();
        Iterator<Map.Entry<byte[], byte[]>> it = (fromInclusive == null ? map : map.tailMap(fromInclusive, true))
                .entrySet().iterator();
        return new Cursor() {
            private Map.Entry<byte[], byte[]> current;

            @Override
            public boolean next() {
                current = it.hasNext() ? it.next() : null;
                return current != null;
            }

            @Override
            public byte[] key() {
                return current.getKey();
            }

            @Override
            public byte[] value() {
                return current.getValue();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void flush() {
    }

    @Override
    public void waitForCompactions() {
    }

    @Override
    public long liveFileBytes() {
        return (long) map.size() * (DataSet.KEY_BYTES + DataSet.VALUE_BYTES);
    }

    @Override
    public long bytesWrittenToFiles() {
        return bytesWritten.get();
    }

    @Override
    public void close() {
        closed = true;
    }
}
