package io.stratakv.storage.log;

import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.CrashSimulatingFs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.stratakv.storage.log.LogTesting.awaitCondition;
import static io.stratakv.storage.log.LogTesting.config;
import static io.stratakv.storage.log.LogTesting.open;
import static io.stratakv.storage.log.LogTesting.readAll;
import static org.assertj.core.api.Assertions.assertThat;

/** ALWAYS: acknowledged means fsynced, and concurrent appenders share fsyncs. */
class GroupCommitTest {

    private final CrashSimulatingFs fs = new CrashSimulatingFs();

    private static byte[] payloadOf(int thread, int i) {
        return ("t" + thread + "-" + i).getBytes();
    }

    /**
     * Deterministic: one appender leads an fsync that is held at a gate; seven more append meanwhile
     * and must wait. When the gate opens, one of them leads a single fsync for all seven: two fsyncs
     * for eight appends, not eight.
     */
    @Test
    void appendersThatArriveDuringAnFsyncShareTheNextOne() throws Exception {
        InstrumentedFs ifs = new InstrumentedFs(fs);
        try (PartitionLog log = open(ifs, config(FsyncPolicy.ALWAYS, 1 << 20))) {
            log.append(1, "first".getBytes()); // writes the epoch file outside the measured part
            long syncsBefore = ifs.fileSyncs.get();
            ifs.closeSyncGate();
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch acked = new CountDownLatch(threads);
                List<Future<Long>> results = new ArrayList<>();
                results.add(pool.submit(() -> appendAndCount(log, 0, acked)));
                awaitCondition("the leader to reach its fsync", () -> ifs.syncsWaitingAtGate.get() == 1);
                for (int t = 1; t < threads; t++) {
                    int id = t;
                    results.add(pool.submit(() -> appendAndCount(log, id, acked)));
                }
                awaitCondition("all appends written", () -> log.endOffset() == 1 + threads);
                assertThat(acked.getCount()).as("nobody acknowledged before the fsync").isEqualTo(threads);
                assertThat(ifs.syncsWaitingAtGate.get()).as("followers do not fsync on their own").isEqualTo(1);
                ifs.openSyncGate();
                assertThat(acked.await(30, TimeUnit.SECONDS)).isTrue();
                List<Long> offsets = new ArrayList<>();
                for (Future<Long> f : results) {
                    offsets.add(f.get());
                }
                assertThat(offsets).doesNotHaveDuplicates().allMatch(o -> o >= 1 && o <= threads);
                assertThat(ifs.fileSyncs.get() - syncsBefore).as("fsyncs for %d appends", threads).isEqualTo(2);
                assertThat(log.durableEndOffset()).isEqualTo(1 + threads);
            } finally {
                ifs.openSyncGate();
                pool.shutdownNow();
            }
        }
    }

    private static long appendAndCount(PartitionLog log, int thread, CountDownLatch acked) {
        long offset = log.append(1, payloadOf(thread, 0));
        assertThat(log.durableEndOffset()).isGreaterThan(offset);
        acked.countDown();
        return offset;
    }

    /** Many threads, many appends, then power loss: every acknowledged record is there. */
    @Test
    void everyAcknowledgedRecordSurvivesACrash() throws Exception {
        int threads = 8;
        int perThread = 150;
        LogConfig cfg = config(FsyncPolicy.ALWAYS, 8 << 10);
        Map<Long, byte[]> acked = new ConcurrentHashMap<>();
        try (PartitionLog log = open(fs, cfg)) {
            runAppenders(log, threads, perThread, acked, new AtomicBoolean());
            assertThat(acked).hasSize(threads * perThread);
            assertThat(fs.syncCount()).isLessThanOrEqualTo(threads * perThread + 2L * log.segmentCount() + 4);
            log.kill();
        }
        fs.crash();
        try (PartitionLog log = open(fs, cfg)) {
            assertThat(log.endOffset()).isEqualTo(threads * perThread);
            for (LogRecord r : readAll(log)) {
                assertThat(r.payload()).isEqualTo(acked.get(r.offset()));
            }
        }
    }

    /** The machine dies while appenders are running: what was acknowledged before is all there. */
    @Test
    void crashInTheMiddleOfConcurrentAppendsKeepsEveryAcknowledgedRecord() throws Exception {
        for (int round = 0; round < 5; round++) {
            CrashSimulatingFs crashFs = new CrashSimulatingFs();
            LogConfig cfg = config(FsyncPolicy.ALWAYS, 4 << 10);
            Map<Long, byte[]> acked = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            PartitionLog log = open(crashFs, cfg);
            Thread killer = new Thread(() -> {
                awaitCondition("some acknowledged appends", () -> acked.size() >= 300);
                log.kill();
                crashFs.crash();
                stop.set(true);
            });
            killer.start();
            runAppenders(log, 6, Integer.MAX_VALUE, acked, stop);
            killer.join();
            try (PartitionLog again = open(crashFs, cfg)) {
                List<LogRecord> got = readAll(again);
                for (Map.Entry<Long, byte[]> e : acked.entrySet()) {
                    assertThat(e.getKey()).isLessThan(again.endOffset());
                    assertThat(got.get(e.getKey().intValue()).payload()).isEqualTo(e.getValue());
                }
            }
        }
    }

    private static void runAppenders(PartitionLog log, int threads, int perThread, Map<Long, byte[]> acked,
                                     AtomicBoolean stop) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong failures = new AtomicLong();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            fs.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread && !stop.get(); i++) {
                    byte[] p = payloadOf(id, i);
                    try {
                        acked.put(log.append(1, p), p);
                    } catch (StorageException e) {
                        failures.incrementAndGet();
                        if (!stop.get() && !(log.failed() || e.getMessage().contains("closed"))) {
                            throw e;
                        }
                        break;
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }

    /**
     * Regression: close() used to mark the log closed and then join the INTERVAL flusher, while the
     * flusher, waiting for another thread's fsync, then waited for close's final fsync: both waited
     * for ever. The flusher now stops before the log is marked closed.
     */
    @Test
    void closeDoesNotDeadlockWithAFlusherWaitingForAnFsync() throws Exception {
        InstrumentedFs ifs = new InstrumentedFs(fs);
        LogConfig cfg = config(FsyncPolicy.INTERVAL, 1 << 20).withFsyncInterval(java.time.Duration.ofMillis(300));
        PartitionLog log = open(ifs, cfg);
        log.append(1, "a".getBytes());
        awaitCondition("first background fsync", () -> log.durableEndOffset() == 1);
        ifs.closeSyncGate();
        Thread leader = new Thread(() -> {
            log.append(1, "b".getBytes());
            log.awaitDurable(1);
        });
        leader.start();
        awaitCondition("an fsync held at the gate", () -> ifs.syncsWaitingAtGate.get() == 1);
        org.junit.jupiter.api.Assumptions.assumeTrue(ifs.lastThreadAtGate == leader, "the flusher led the fsync");
        log.append(1, "c".getBytes()); // not covered by the held fsync
        Thread flusher = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("strata-log-fsync-")).findFirst().orElseThrow();
        awaitCondition("the flusher waiting for the held fsync", () -> flusher.getState() == Thread.State.WAITING);
        Thread closer = new Thread(log::close);
        closer.start();
        awaitCondition("close to block", () -> closer.getState() == Thread.State.WAITING);
        ifs.openSyncGate();
        closer.join(10_000);
        leader.join(10_000);
        assertThat(closer.isAlive()).as("close() hung").isFalse();
        assertThat(leader.isAlive()).isFalse();
        fs.crash();
        try (PartitionLog again = open(fs, cfg)) {
            assertThat(again.endOffset()).isEqualTo(3);
        }
    }
}
