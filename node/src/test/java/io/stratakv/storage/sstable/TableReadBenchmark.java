package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalIterator;
import io.stratakv.storage.lsm.InternalKey;

import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;

/**
 * Not a test (surefire does not run it): a rough benchmark of the read path on one table held in
 * memory, so it measures CPU, not the disk. Run after test-compile:
 *
 * <pre>
 *   java -cp node/target/classes:node/target/test-classes io.stratakv.storage.sstable.TableReadBenchmark [entries]
 * </pre>
 *
 * Reports ns per get (warm cache, present and absent keys, 1 and 2 threads), bytes allocated
 * per get, and scan speed.
 */
public final class TableReadBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        Random rnd = new Random(1);
        MemoryFile out = new MemoryFile();
        long t0 = System.nanoTime();
        try (TableBuilder b = new TableBuilder(out, "bench.sst", TableOptions.defaults())) {
            byte[] value = new byte[100];
            for (int i = 0; i < n; i++) {
                rnd.nextBytes(value);
                b.add(InternalKey.encode(key(i), i + 1, InternalKey.TYPE_PUT), value);
            }
            b.finish();
        }
        long buildNs = System.nanoTime() - t0;
        byte[] file = out.bytes();
        System.out.printf("built %,d entries, %,d bytes in %d ms (%.0f ns/entry)%n", n, file.length,
                buildNs / 1_000_000, (double) buildNs / n);

        BlockCache cache = new BlockCache(256L << 20);
        TableStats stats = new TableStats();
        try (TableReader t = TableReader.open(new MemoryFile(file), "bench.sst", 1, file.length, cache, stats)) {
            System.out.printf("index+filter memory %,d bytes, %d data blocks, cache shards %d%n",
                    t.memoryBytes(), t.dataBlockCount(), cache.shardCount());
            try (InternalIterator it = t.iterator()) {
                long s = System.nanoTime();
                long count = 0;
                for (it.seekToFirst(); it.valid(); it.next()) {
                    it.key();
                    it.value();
                    count++;
                }
                System.out.printf("cold scan (fills cache): %.0f ns/entry%n", (double) (System.nanoTime() - s) / count);
            }
            byte[][] present = new byte[n][];
            byte[][] absent = new byte[n][];
            for (int i = 0; i < n; i++) {
                present[i] = key(i);
                absent[i] = absentKey(i);
            }
            for (int round = 0; round < 3; round++) {
                measure(t, present, 1, true);
                measure(t, absent, 1, false);
            }
            measure(t, present, 2, true);
            measure(t, absent, 2, false);
            try (InternalIterator it = t.iterator()) {
                long s = System.nanoTime();
                long count = 0;
                for (it.seekToFirst(); it.valid(); it.next()) {
                    it.key();
                    it.value();
                    count++;
                }
                System.out.printf("warm scan: %.0f ns/entry%n", (double) (System.nanoTime() - s) / count);
            }
            System.out.println(stats);
            System.out.println(cache);
        }
    }

    private static void measure(TableReader t, byte[][] keys, int threads, boolean present) throws InterruptedException {
        int n = keys.length;
        int perThread = 2_000_000;
        LongAdder found = new LongAdder();
        LongAdder allocated = new LongAdder();
        Thread[] ts = new Thread[threads];
        long start = System.nanoTime();
        for (int k = 0; k < threads; k++) {
            long seed = k;
            ts[k] = new Thread(() -> {
                com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long a0 = mx.getCurrentThreadAllocatedBytes();
                Random r = new Random(seed);
                int hits = 0;
                for (int i = 0; i < perThread; i++) {
                    int id = r.nextInt(n);
                    if (t.get(keys[id], Long.MAX_VALUE) != null) {
                        hits++;
                    }
                }
                found.add(hits);
                allocated.add(mx.getCurrentThreadAllocatedBytes() - a0);
            });
        }
        for (Thread th : ts) {
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        long ns = System.nanoTime() - start;
        System.out.printf("%d thread(s), %s keys: %.0f ns/get per thread, %.2f M gets/s total, found %d, %.0f bytes allocated/get%n",
                threads, present ? "present" : "absent", (double) ns / perThread, threads * perThread / (ns / 1e3),
                found.sum(), (double) allocated.sum() / (threads * (long) perThread));
    }

    static byte[] key(int i) {
        return String.format("user%012d", (long) i * 7919 % 1_000_000_000_000L).getBytes();
    }

    static byte[] absentKey(int i) {
        return String.format("user%012dx", (long) i * 7919 % 1_000_000_000_000L).getBytes();
    }
}
