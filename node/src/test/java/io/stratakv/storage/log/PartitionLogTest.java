package io.stratakv.storage.log;

import com.codahale.metrics.MetricRegistry;
import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.fs.RealFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.stratakv.storage.log.LogTesting.DIR;
import static io.stratakv.storage.log.LogTesting.assertCode;
import static io.stratakv.storage.log.LogTesting.config;
import static io.stratakv.storage.log.LogTesting.open;
import static io.stratakv.storage.log.LogTesting.payload;
import static io.stratakv.storage.log.LogTesting.readAll;
import static io.stratakv.storage.log.LogTesting.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;

/** Appending, reading, rolling and reopening. */
class PartitionLogTest {

    private final CrashSimulatingFs fs = new CrashSimulatingFs();

    private static List<LogRecord> expected(int n, long epoch) {
        List<LogRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new LogRecord(i, epoch, payload(i)));
        }
        return out;
    }

    @Test
    void offsetsStartAtZeroAndAreConsecutive() {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            assertThat(log.startOffset()).isZero();
            assertThat(log.endOffset()).isZero();
            assertThat(log.latestEpoch()).isEqualTo(-1);
            for (int i = 0; i < 10; i++) {
                assertThat(log.append(1, payload(i))).isEqualTo(i);
            }
            assertThat(log.appendBatch(1, List.of(payload(10), payload(11)))).isEqualTo(11);
            assertThat(log.endOffset()).isEqualTo(12);
            assertThat(readAll(log)).isEqualTo(expected(12, 1));
        }
    }

    @Test
    void readsFromEveryOffset() {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 512))) {
            List<LogRecord> all = expected(60, 3);
            for (LogRecord r : all) {
                log.append(3, r.payload());
            }
            assertThat(log.segmentCount()).isGreaterThan(3);
            for (int from = 0; from <= 60; from++) {
                List<LogRecord> got = new ArrayList<>();
                long at = from;
                while (at < 60) {
                    List<LogRecord> part = log.read(at, 200);
                    got.addAll(part);
                    at = part.get(part.size() - 1).offset() + 1;
                }
                assertThat(got).as("from %d", from).isEqualTo(all.subList(from, 60));
            }
        }
    }

    @Test
    void readHonoursMaxBytesButAlwaysReturnsOneRecord() {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            for (int i = 0; i < 20; i++) {
                log.append(1, new byte[100]);
            }
            int frame = RecordFrame.HEADER_BYTES + 100;
            assertThat(log.read(0, frame * 5)).hasSize(5);
            assertThat(log.read(0, frame * 5 + frame - 1)).hasSize(5);
            assertThat(log.read(3, frame * 2)).extracting(LogRecord::offset).containsExactly(3L, 4L);
            assertThat(log.read(7, 0)).extracting(LogRecord::offset).containsExactly(7L);
            assertThat(log.read(7, 10)).hasSize(1);
            assertThat(log.read(15, Integer.MAX_VALUE)).hasSize(5);
            assertThat(log.read(20, 1000)).isEmpty();
        }
    }

    @Test
    void readOutsideTheLogIsOffsetOutOfRange() {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            log.append(1, payload(0));
            log.append(1, payload(1));
            assertCode(StorageErrorCode.OFFSET_OUT_OF_RANGE, () -> log.read(3, 100));
            assertCode(StorageErrorCode.OFFSET_OUT_OF_RANGE, () -> log.read(-1, 100));
            log.truncatePrefix(1);
            assertCode(StorageErrorCode.OFFSET_OUT_OF_RANGE, () -> log.read(0, 100));
            assertThat(log.read(1, 100)).extracting(LogRecord::offset).containsExactly(1L);
        }
    }

    @Test
    void segmentsRollAtSegmentBytesAndAreNamedByBaseOffset() throws Exception {
        long segmentBytes = 300;
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, segmentBytes))) {
            for (int i = 0; i < 40; i++) {
                log.append(1, new byte[50]); // 74-byte frames: 4 per segment
            }
            assertThat(log.segmentCount()).isEqualTo(10);
        }
        List<String> names = segmentFiles(fs);
        assertThat(names).hasSize(10);
        for (int i = 0; i < names.size(); i++) {
            assertThat(names.get(i)).matches("\\d{20}\\.log").isEqualTo(String.format("%020d.log", i * 4L));
            assertThat(fs.size(DIR.resolve(names.get(i)))).isLessThanOrEqualTo(segmentBytes);
        }
    }

    @Test
    void aWriteLargerThanASegmentGetsASegmentOfItsOwn() throws Exception {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 100))) {
            log.append(1, new byte[10]);
            log.append(1, new byte[500]);
            log.append(1, new byte[10]);
            assertThat(segmentFiles(fs)).containsExactly(Segment.fileName(0), Segment.fileName(1), Segment.fileName(2));
            assertThat(log.read(1, 0).get(0).payload()).hasSize(500);
        }
    }

    @Test
    void restartKeepsEverythingAndRebuildsTheIndex() {
        LogConfig cfg = config(FsyncPolicy.NEVER, 2048);
        List<LogRecord> all = new ArrayList<>();
        try (PartitionLog log = open(fs, cfg)) {
            for (int i = 0; i < 200; i++) {
                long epoch = 1 + i / 70;
                log.append(epoch, payload(i));
                all.add(new LogRecord(i, epoch, payload(i)));
            }
        }
        try (PartitionLog log = open(fs, cfg)) {
            assertThat(log.endOffset()).isEqualTo(200);
            assertThat(log.durableEndOffset()).isEqualTo(200);
            assertThat(readAll(log)).isEqualTo(all);
            assertThat(log.read(137, 1)).containsExactly(all.get(137));
            assertThat(log.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 70), new EpochEntry(3, 140));
            assertThat(log.append(3, payload(200))).isEqualTo(200);
        }
    }

    @Test
    void readUsesTheSparseIndexInsteadOfScanningTheSegment() {
        InstrumentedFs ifs = new InstrumentedFs(fs);
        LogConfig cfg = config(FsyncPolicy.NEVER, 64L << 20);
        try (PartitionLog log = open(ifs, cfg)) {
            for (int i = 0; i < 10_000; i++) {
                log.append(1, new byte[100]); // ~1.2 MB in one segment
            }
            assertReadCostIsSmall(ifs, log);
        }
        try (PartitionLog log = open(ifs, cfg)) { // index rebuilt by the open scan
            assertReadCostIsSmall(ifs, log);
        }
    }

    private static void assertReadCostIsSmall(InstrumentedFs ifs, PartitionLog log) {
        long before = ifs.bytesRead.get();
        assertThat(log.read(9_990, 124)).extracting(LogRecord::offset).containsExactly(9_990L);
        long cost = ifs.bytesRead.get() - before;
        assertThat(cost).as("bytes read for one record deep in a 1.2 MB segment")
                .isLessThanOrEqualTo(3L * SparseIndex.INTERVAL_BYTES + 124);
    }

    @Test
    void oneWriteCallPerAppendAndPerBatch() {
        InstrumentedFs ifs = new InstrumentedFs(fs);
        try (PartitionLog log = open(ifs, config(FsyncPolicy.NEVER, 64L << 20))) {
            log.append(1, payload(0)); // first epoch
            long writes = ifs.appendCalls.get();
            long syncs = fs.syncCount();
            for (int i = 1; i <= 100; i++) {
                log.append(1, payload(i));
            }
            assertThat(ifs.appendCalls.get() - writes).isEqualTo(100);
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                batch.add(payload(i));
            }
            log.appendBatch(1, batch);
            assertThat(ifs.appendCalls.get() - writes).isEqualTo(101);
            assertThat(fs.syncCount()).as("NEVER: no fsync while appending").isEqualTo(syncs);
        }
    }

    @Test
    void batchUnderAlwaysIsOneWriteAndOneFsync() {
        InstrumentedFs ifs = new InstrumentedFs(fs);
        try (PartitionLog log = open(ifs, config(FsyncPolicy.ALWAYS, 64L << 20))) {
            log.append(1, payload(0));
            long writes = ifs.appendCalls.get();
            long syncs = fs.syncCount();
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                batch.add(payload(i));
            }
            assertThat(log.appendBatch(1, batch)).isEqualTo(300);
            assertThat(ifs.appendCalls.get() - writes).isEqualTo(1);
            assertThat(fs.syncCount() - syncs).isEqualTo(1);
            assertThat(log.durableEndOffset()).isEqualTo(301);
        }
    }

    @Test
    void tooLargeRecordIsRefusedAndNothingIsWritten() throws Exception {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20).withMaxRecordBytes(1000))) {
            log.append(1, new byte[1000]);
            long size = fs.size(LogTesting.segmentPath(0));
            assertCode(StorageErrorCode.RECORD_TOO_LARGE, () -> log.append(1, new byte[1001]));
            assertCode(StorageErrorCode.RECORD_TOO_LARGE, () -> log.appendBatch(1, List.of(new byte[1], new byte[1001])));
            assertCode(StorageErrorCode.RECORD_TOO_LARGE,
                    () -> log.appendReplicated(List.of(new LogRecord(1, 1, new byte[1001]))));
            assertThat(log.endOffset()).isEqualTo(1);
            assertThat(fs.size(LogTesting.segmentPath(0))).isEqualTo(size);
        }
    }

    @Test
    void badArgumentsAreInvalidArgument() {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            log.append(1, payload(0));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> log.append(-1, payload(0)));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> log.append(1, null));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> log.appendBatch(1, List.of()));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> log.appendBatch(1, null));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> log.read(0, -1));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> log.truncateSuffix(-1));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> log.truncatePrefix(-1));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> log.awaitDurable(-1));
            assertCode(StorageErrorCode.OFFSET_OUT_OF_RANGE, () -> log.awaitDurable(1));
            assertThat(log.endOffset()).isEqualTo(1);
        }
        assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> LogConfig.defaults().withSegmentBytes(10));
        assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> LogConfig.defaults().withMaxRecordBytes(-1));
        assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> LogConfig.defaults().withFsyncInterval(java.time.Duration.ZERO));
        assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> PartitionLog.open(null, DIR, LogConfig.defaults(), null));
    }

    @Test
    void defaultsAreAsDocumented() {
        LogConfig d = LogConfig.defaults();
        assertThat(d.segmentBytes()).isEqualTo(128L << 20);
        assertThat(d.maxRecordBytes()).isEqualTo(8 << 20);
        assertThat(d.fsyncPolicy()).isEqualTo(FsyncPolicy.INTERVAL);
        assertThat(d.fsyncInterval()).isEqualTo(java.time.Duration.ofMillis(50));
    }

    @Test
    void closedLogRefusesEverything() {
        PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20));
        log.append(1, payload(0));
        log.close();
        log.close(); // idempotent
        assertCode(StorageErrorCode.CLOSED, () -> log.append(1, payload(1)));
        assertCode(StorageErrorCode.CLOSED, () -> log.read(0, 100));
        assertCode(StorageErrorCode.CLOSED, log::sync);
    }

    @Test
    void closeFsyncsUnderNever() {
        PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20));
        for (int i = 0; i < 5; i++) {
            log.append(1, payload(i));
        }
        assertThat(log.durableEndOffset()).isZero();
        log.close();
        fs.crash();
        try (PartitionLog again = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            assertThat(again.endOffset()).isEqualTo(5);
        }
    }

    @Test
    void sizeAndBytesWrittenCountFrames() {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            log.append(1, new byte[10]);
            log.appendBatch(1, List.of(new byte[20], new byte[0]));
            long frames = 3L * RecordFrame.HEADER_BYTES + 30;
            assertThat(log.bytesWritten()).isEqualTo(frames);
            assertThat(log.sizeInBytes()).isEqualTo(frames);
        }
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            assertThat(log.bytesWritten()).isZero();
            assertThat(log.sizeInBytes()).isEqualTo(3L * RecordFrame.HEADER_BYTES + 30);
        }
    }

    @Test
    void metricsCountFsyncsBytesRecordsAndSegments() {
        MetricRegistry registry = new MetricRegistry();
        try (PartitionLog log = PartitionLog.open(fs, DIR, config(FsyncPolicy.ALWAYS, 200), registry)) {
            for (int i = 0; i < 10; i++) {
                log.append(1, new byte[50]);
            }
            assertThat(registry.meter(LogMetrics.APPENDED_RECORDS).getCount()).isEqualTo(10);
            assertThat(registry.meter(LogMetrics.APPENDED_BYTES).getCount()).isEqualTo(10L * 74);
            assertThat(registry.timer(LogMetrics.FSYNC).getCount()).isGreaterThanOrEqualTo(10);
            assertThat(registry.counter(LogMetrics.SEGMENTS).getCount()).isEqualTo(log.segmentCount()).isEqualTo(5);
            assertThat(registry.getNames()).allMatch(n -> n.startsWith("log."));
        }
        assertThat(registry.counter(LogMetrics.SEGMENTS).getCount()).isZero();
    }

    @Test
    void worksOnTheRealFileSystem(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("p7/log");
        LogConfig cfg = config(FsyncPolicy.ALWAYS, 1024);
        List<LogRecord> all = new ArrayList<>();
        try (PartitionLog log = PartitionLog.open(RealFs.INSTANCE, dir, cfg, null)) {
            for (int i = 0; i < 100; i++) {
                long epoch = i < 50 ? 1 : 2;
                assertThat(log.append(epoch, payload(i))).isEqualTo(i);
                all.add(new LogRecord(i, epoch, payload(i)));
            }
            assertThat(log.durableEndOffset()).isEqualTo(100);
        }
        try (PartitionLog log = PartitionLog.open(RealFs.INSTANCE, dir, cfg, null)) {
            assertThat(readAll(log)).isEqualTo(all);
            log.truncateSuffix(80);
            log.truncatePrefix(30);
            log.append(3, payload(80));
        }
        try (PartitionLog log = PartitionLog.open(RealFs.INSTANCE, dir, cfg, null)) {
            assertThat(log.startOffset()).isEqualTo(30);
            assertThat(log.endOffset()).isEqualTo(81);
            assertThat(log.epochs()).containsExactly(new EpochEntry(1, 30), new EpochEntry(2, 50), new EpochEntry(3, 80));
            assertThat(readAll(log).subList(0, 50)).isEqualTo(all.subList(30, 80));
        }
        try (var names = Files.list(dir)) {
            assertThat(names.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log")))
                    .allMatch(n -> n.matches("\\d{20}\\.log"))
                    .noneMatch(n -> n.equals(Segment.fileName(0)));
        }
    }

    @Test
    void intervalPolicyFsyncsInTheBackground(@TempDir Path tmp) {
        LogConfig cfg = config(FsyncPolicy.INTERVAL, 1 << 20).withFsyncInterval(java.time.Duration.ofMillis(5));
        String threadName = "strata-log-fsync-interval-check";
        try (PartitionLog log = PartitionLog.open(RealFs.INSTANCE, tmp.resolve("interval-check"), cfg, null)) {
            for (int i = 0; i < 10; i++) {
                log.append(1, payload(i));
            }
            LogTesting.awaitCondition("background fsync", () -> log.durableEndOffset() == 10);
            assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().equals(threadName) && t.isDaemon());
        }
        assertThat(Thread.getAllStackTraces().keySet()).as("flusher stopped by close")
                .noneMatch(t -> t.getName().equals(threadName));
    }
}
