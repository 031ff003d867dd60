package io.stratakv.ops.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one workload on one freshly opened, empty database: prepares it as the workload says
 * (untimed), runs the timed loop, then checks what the engine answered and measures
 * amplification where the workload calls for it (untimed).
 *
 * <p>Every random choice comes from streams seeded by --seed and the workload alone, so both
 * engines get exactly the same operations in the same order. Each operation's latency is the
 * engine call alone, timed with System.nanoTime (about 20-30 ns a call, which matters only next
 * to readseq's sub-microsecond steps); ops/s is over the whole timed loop, key and value
 * generation included.
 */
final class WorkloadRunner {

    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int ENTRY_BYTES = DataSet.KEY_BYTES + DataSet.VALUE_BYTES;
    /** Large odd multiplier that spreads the workload's number over the seed space. */
    private static final long SEED_STRIDE = 0x9E3779B97F4A7C15L;

    private final BenchOptions options;
    private final DataSet data;

    WorkloadRunner(BenchOptions options, DataSet data) {
        this.options = options;
        this.data = data;
    }

    EngineResult run(Workload workload, Side side, BenchEngine engine) throws InterruptedException {
        Run run = new Run(workload, engine);
        switch (workload.preparation()) {
            case EMPTY -> {
            }
            case FILLED -> prepareFilled(run);
            case WARMED -> {
                prepareFilled(run);
                warm(run);
            }
        }
        SplittableRandom rnd = new SplittableRandom(options.seed() + SEED_STRIDE * (workload.ordinal() + 1));
        Histogram latency = newHistogram();
        OptionalDouble writerRate = OptionalDouble.empty();
        long start = System.nanoTime();
        long ops = switch (workload) {
            case FILLSEQ -> fill(run, null, rnd, latency);
            case FILLRANDOM -> fill(run, data.permutation(rnd), rnd, latency);
            case OVERWRITE -> overwrite(run, rnd, latency, data.keys());
            case READRANDOM -> readRandom(run, rnd, latency, options.reads());
            case READSEQ -> readSeq(run, latency);
            case SEEKRANDOM -> seekRandom(run, rnd, latency, options.reads());
            case DELETERANDOM -> deleteRandom(run, data.permutation(rnd), latency);
            case READWHILEWRITING -> {
                ReadWhileWriting rww = readWhileWriting(run, rnd, latency);
                writerRate = OptionalDouble.of(rww.writerOpsPerSec);
                start = rww.readerStart;
                yield rww.reads;
            }
        };
        long nanos = System.nanoTime() - start;

        Optional<Amplification> amplification = Optional.empty();
        if (workload.measuresAmplification()) {
            engine.flush();
            engine.waitForCompactions();
            amplification = Optional.of(new Amplification(engine.liveFileBytes(), data.logicalBytes(),
                    engine.bytesWrittenToFiles(), run.userBytes));
        }
        checkAfter(run);
        return new EngineResult(side, ops, nanos, latency, run.found, run.expectedFound, amplification, writerRate,
                run.problems);
    }

    /** Untimed: gives the JIT compilers the hot paths of the engine and of these loops. */
    void warmUp(BenchEngine engine) {
        Run run = new Run(Workload.FILLRANDOM, engine);
        SplittableRandom rnd = new SplittableRandom(options.seed() - 1);
        Histogram ignored = newHistogram();
        fill(run, data.permutation(rnd), rnd, ignored);
        overwrite(run, rnd, ignored, data.keys() / 4);
        readRandom(run, rnd, ignored, data.keys());
        engine.flush();
        readRandom(run, rnd, ignored, data.keys());
        readSeq(run, ignored);
        seekRandom(run, rnd, ignored, Math.max(1, data.keys() / 10));
    }

    // --- preparation, untimed ---

    private void prepareFilled(Run run) {
        SplittableRandom rnd = new SplittableRandom(options.seed());
        fill(run, data.permutation(rnd), rnd, newHistogram());
        run.engine.flush();
        run.engine.waitForCompactions();
    }

    /** Gets every key once, so the block cache holds what fits, as after a real application's start. */
    private void warm(Run run) {
        int[] order = data.permutation(new SplittableRandom(options.seed() + 1));
        long missing = 0;
        for (int i : order) {
            if (run.engine.get(DataSet.key(i)) == null) {
                missing++;
            }
        }
        if (missing > 0) {
            run.problems.add("warm-up: " + missing + " of " + order.length + " keys missing right after the fill");
        }
    }

    // --- timed loops ---

    private long fill(Run run, int[] order, SplittableRandom rnd, Histogram latency) {
        BenchEngine engine = run.engine;
        int n = data.keys();
        for (int j = 0; j < n; j++) {
            byte[] key = DataSet.key(order == null ? j : order[j]);
            byte[] value = data.value(rnd);
            long t0 = System.nanoTime();
            engine.put(key, value);
            record(latency, System.nanoTime() - t0);
        }
        run.userBytes += (long) n * ENTRY_BYTES;
        return n;
    }

    private long overwrite(Run run, SplittableRandom rnd, Histogram latency, int count) {
        BenchEngine engine = run.engine;
        int n = data.keys();
        for (int j = 0; j < count; j++) {
            byte[] key = DataSet.key(rnd.nextInt(n));
            byte[] value = data.value(rnd);
            long t0 = System.nanoTime();
            engine.put(key, value);
            record(latency, System.nanoTime() - t0);
        }
        run.userBytes += (long) count * ENTRY_BYTES;
        return count;
    }

    private long readRandom(Run run, SplittableRandom rnd, Histogram latency, int count) {
        BenchEngine engine = run.engine;
        int n = data.keys();
        long found = 0;
        long wrongSize = 0;
        for (int j = 0; j < count; j++) {
            byte[] key = DataSet.key(rnd.nextInt(n));
            long t0 = System.nanoTime();
            byte[] value = engine.get(key);
            record(latency, System.nanoTime() - t0);
            if (value != null) {
                found++;
                if (value.length != DataSet.VALUE_BYTES) {
                    wrongSize++;
                }
            }
        }
        run.found += found;
        run.expectedFound += count;
        if (wrongSize > 0) {
            run.problems.add(wrongSize + " values read back with a length other than " + DataSet.VALUE_BYTES);
        }
        return count;
    }

    private long readSeq(Run run, Histogram latency) {
        long entries = 0;
        long outOfPlace = 0;
        try (BenchEngine.Cursor cursor = run.engine.scan(null)) {
            while (true) {
                long t0 = System.nanoTime();
                boolean more = cursor.next();
                byte[] key = more ? cursor.key() : null;
                byte[] value = more ? cursor.value() : null;
                record(latency, System.nanoTime() - t0);
                if (!more) {
                    break;
                }
                // With all N keys present, entry j must be key j.
                if (DataSet.indexOf(key) != entries || value.length != DataSet.VALUE_BYTES) {
                    outOfPlace++;
                }
                entries++;
            }
        }
        run.found += entries;
        run.expectedFound += data.keys();
        if (outOfPlace > 0) {
            run.problems.add(outOfPlace + " entries out of key order or with a wrong value length in the full scan");
        }
        return entries;
    }

    private long seekRandom(Run run, SplittableRandom rnd, Histogram latency, int count) {
        BenchEngine engine = run.engine;
        int n = data.keys();
        int nexts = options.seekNexts();
        long entries = 0;
        long expected = 0;
        long wrongStart = 0;
        for (int j = 0; j < count; j++) {
            int i = rnd.nextInt(n);
            byte[] from = DataSet.key(i);
            byte[] first = null;
            int read = 0;
            long t0 = System.nanoTime();
            try (BenchEngine.Cursor cursor = engine.scan(from)) {
                while (read < nexts && cursor.next()) {
                    byte[] key = cursor.key();
                    cursor.value();
                    if (read == 0) {
                        first = key;
                    }
                    read++;
                }
            }
            record(latency, System.nanoTime() - t0);
            entries += read;
            expected += Math.min(nexts, n - i);
            if (read > 0 && !Arrays.equals(first, from)) {
                wrongStart++;
            }
        }
        run.found += entries;
        run.expectedFound += expected;
        if (wrongStart > 0) {
            run.problems.add(wrongStart + " seeks to a present key did not start at that key");
        }
        return count;
    }

    private long deleteRandom(Run run, int[] order, Histogram latency) {
        BenchEngine engine = run.engine;
        for (int i : order) {
            byte[] key = DataSet.key(i);
            long t0 = System.nanoTime();
            engine.delete(key);
            record(latency, System.nanoTime() - t0);
        }
        run.userBytes += (long) order.length * DataSet.KEY_BYTES;
        return order.length;
    }

    private record ReadWhileWriting(long reads, long readerStart, double writerOpsPerSec) {
    }

    /**
     * The reader (this thread, measured) starts once the writer has written its first entry, and
     * the writer stops when the reader is done; the writer overwrites present keys, so every read
     * must still find its key.
     */
    private ReadWhileWriting readWhileWriting(Run run, SplittableRandom rnd, Histogram latency)
            throws InterruptedException {
        BenchEngine engine = run.engine;
        int n = data.keys();
        SplittableRandom writerRnd = rnd.split();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        long[] writes = new long[1];
        long[] writerNanos = new long[1];
        Thread writer = Thread.ofPlatform().name("bench-writer").start(() -> {
            long t0 = System.nanoTime();
            long count = 0;
            try {
                while (!stop.get()) {
                    engine.put(DataSet.key(writerRnd.nextInt(n)), data.value(writerRnd));
                    if (++count == 1) {
                        started.countDown();
                    }
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            } finally {
                started.countDown();
                writes[0] = count;
                writerNanos[0] = System.nanoTime() - t0;
            }
        });
        started.await();
        long readerStart = System.nanoTime();
        long reads;
        try {
            reads = readRandom(run, rnd, latency, options.reads());
        } finally {
            stop.set(true);
            writer.join();
        }
        if (writerFailure.get() != null) {
            throw new IllegalStateException("readwhilewriting: the writer failed", writerFailure.get());
        }
        run.userBytes += writes[0] * ENTRY_BYTES;
        double writerRate = writerNanos[0] == 0 ? 0 : writes[0] * 1e9 / writerNanos[0];
        return new ReadWhileWriting(reads, readerStart, writerRate);
    }

    // --- checks, untimed ---

    private void checkAfter(Run run) {
        if (run.found != run.expectedFound) {
            run.problems.add((run.workload == Workload.READSEQ || run.workload == Workload.SEEKRANDOM
                    ? "entries returned: " : "keys found: ") + run.found + ", expected " + run.expectedFound);
        }
        long expectedLive = switch (run.workload) {
            case FILLSEQ, FILLRANDOM, OVERWRITE -> data.keys();
            case DELETERANDOM -> 0;
            default -> -1;
        };
        if (expectedLive >= 0) {
            long live = countEntries(run.engine);
            if (live != expectedLive) {
                run.problems.add("a full scan after the workload returned " + live + " entries, expected " + expectedLive);
            }
        }
    }

    private static long countEntries(BenchEngine engine) {
        long n = 0;
        try (BenchEngine.Cursor cursor = engine.scan(null)) {
            while (cursor.next()) {
                n++;
            }
        }
        return n;
    }

    static Histogram newHistogram() {
        return new Histogram(1, MAX_LATENCY_NANOS, 3);
    }

    private static void record(Histogram histogram, long nanos) {
        histogram.recordValue(Math.min(nanos, MAX_LATENCY_NANOS));
    }

    /** One database's bookkeeping during one workload. */
    private static final class Run {
        final Workload workload;
        final BenchEngine engine;
        final List<String> problems = new ArrayList<>();
        long userBytes;
        long found;
        long expectedFound;

        Run(Workload workload, BenchEngine engine) {
            this.workload = workload;
            this.engine = engine;
        }
    }
}
