package io.stratakv.storage.log;

import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.CrashSimulatingFs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.stratakv.storage.log.LogTesting.assertCode;
import static io.stratakv.storage.log.LogTesting.config;
import static io.stratakv.storage.log.LogTesting.open;
import static io.stratakv.storage.log.LogTesting.payload;
import static io.stratakv.storage.log.LogTesting.readAll;
import static io.stratakv.storage.log.LogTesting.segmentPath;
import static org.assertj.core.api.Assertions.assertThat;

/** Failed fsyncs, failed writes and full disks: no silent loss, stored records intact. */
class FailureTest {

    private final CrashSimulatingFs fs = new CrashSimulatingFs();

    @Test
    void anFsyncFailureFailsTheLogUntilReopened() {
        LogConfig cfg = config(FsyncPolicy.ALWAYS, 1 << 20);
        PartitionLog log = open(fs, cfg);
        for (int i = 0; i < 5; i++) {
            log.append(1, payload(i));
        }
        fs.setFailSyncs(true);
        assertCode(StorageErrorCode.LOG_FAILED, () -> log.append(1, payload(5)));
        assertThat(log.failed()).isTrue();
        fs.setFailSyncs(false); // the disk "recovers": the log must not pretend the lost fsync happened
        assertCode(StorageErrorCode.LOG_FAILED, () -> log.append(1, payload(6)));
        assertCode(StorageErrorCode.LOG_FAILED, () -> log.appendBatch(1, List.of(payload(6))));
        assertCode(StorageErrorCode.LOG_FAILED, () -> log.appendReplicated(List.of(new LogRecord(6, 1, payload(6)))));
        assertCode(StorageErrorCode.LOG_FAILED, log::sync);
        assertCode(StorageErrorCode.LOG_FAILED, () -> log.awaitDurable(5));
        assertCode(StorageErrorCode.LOG_FAILED, () -> log.truncateSuffix(2));
        assertCode(StorageErrorCode.LOG_FAILED, () -> log.truncatePrefix(2));
        assertThat(log.read(0, 1 << 20)).hasSize(6); // reads still work
        log.close();
        fs.crash();
        try (PartitionLog again = open(fs, cfg)) {
            List<LogRecord> got = readAll(again);
            assertThat(got.size()).isBetween(5, 6);
            for (int i = 0; i < 5; i++) {
                assertThat(got.get(i).payload()).isEqualTo(payload(i));
            }
            assertThat(again.append(1, payload(9))).isEqualTo(got.size());
        }
    }

    @Test
    void aFailedBackgroundFsyncFailsTheNextAppend() {
        LogConfig cfg = config(FsyncPolicy.INTERVAL, 1 << 20).withFsyncInterval(Duration.ofMillis(2));
        try (PartitionLog log = open(fs, cfg)) {
            log.append(1, payload(0));
            LogTesting.awaitCondition("first background fsync", () -> log.durableEndOffset() == 1);
            fs.setFailSyncs(true);
            log.append(1, payload(1));
            LogTesting.awaitCondition("the flusher to hit the failure", log::failed);
            fs.setFailSyncs(false);
            assertCode(StorageErrorCode.LOG_FAILED, () -> log.append(1, payload(2)));
            assertThat(log.durableEndOffset()).isEqualTo(1);
        }
    }

    @Test
    void anFsyncFailureWhenASegmentRollsFailsTheLogUnderNever() {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 100))) {
            log.append(1, new byte[60]);
            fs.setFailSyncs(true);
            assertCode(StorageErrorCode.LOG_FAILED, () -> log.append(1, new byte[60]));
            assertThat(log.endOffset()).isEqualTo(1);
            assertThat(log.segmentCount()).isEqualTo(1);
        }
    }

    @Test
    void aWriteErrorFailsTheLog() {
        InstrumentedFs ifs = new InstrumentedFs(fs);
        LogConfig cfg = config(FsyncPolicy.NEVER, 1 << 20);
        PartitionLog log = open(ifs, cfg);
        log.append(1, payload(0));
        ifs.failWrites = true;
        assertCode(StorageErrorCode.LOG_FAILED, () -> log.append(1, payload(1)));
        ifs.failWrites = false;
        assertCode(StorageErrorCode.LOG_FAILED, () -> log.append(1, payload(1)));
        assertThat(log.endOffset()).isEqualTo(1);
        log.close();
        try (PartitionLog again = open(fs, cfg)) {
            assertThat(readAll(again)).containsExactly(new LogRecord(0, 1, payload(0)));
        }
    }

    @Test
    void aFullDiskIsDiskFullAndTheLogStaysUsable() throws Exception {
        LogConfig cfg = config(FsyncPolicy.ALWAYS, 1 << 20);
        List<LogRecord> stored = new ArrayList<>();
        try (PartitionLog log = open(fs, cfg)) {
            for (int i = 0; i < 10; i++) {
                log.append(1, payload(i));
                stored.add(new LogRecord(i, 1, payload(i)));
            }
            long size = fs.size(segmentPath(0));
            fs.setCapacityBytes(fs.usedBytes() + 50); // room for part of the next frame only
            assertCode(StorageErrorCode.DISK_FULL, () -> log.append(1, new byte[200]));
            assertCode(StorageErrorCode.DISK_FULL, () -> log.appendBatch(1, List.of(new byte[20], new byte[20], new byte[20])));
            assertThat(fs.size(segmentPath(0))).as("partial write cut off").isEqualTo(size);
            assertThat(log.failed()).isFalse();
            assertThat(log.endOffset()).isEqualTo(10);
            assertThat(readAll(log)).isEqualTo(stored);
            log.append(1, new byte[10]); // still fits
            stored.add(new LogRecord(10, 1, new byte[10]));
            fs.setCapacityBytes(Long.MAX_VALUE);
            log.append(1, payload(11));
            stored.add(new LogRecord(11, 1, payload(11)));
            log.kill();
        }
        fs.crash();
        try (PartitionLog log = open(fs, cfg)) {
            assertThat(readAll(log)).isEqualTo(stored);
        }
    }

    @Test
    void aFullDiskWhoseWriteCannotBeCutOffFailsTheLogButKeepsStoredRecords() {
        InstrumentedFs ifs = new InstrumentedFs(fs);
        LogConfig cfg = config(FsyncPolicy.ALWAYS, 1 << 20);
        List<LogRecord> stored = new ArrayList<>();
        PartitionLog log = open(ifs, cfg);
        for (int i = 0; i < 10; i++) {
            log.append(1, payload(i));
            stored.add(new LogRecord(i, 1, payload(i)));
        }
        fs.setCapacityBytes(fs.usedBytes() + 50);
        ifs.failTruncates = true;
        assertCode(StorageErrorCode.LOG_FAILED, () -> log.append(1, new byte[200]));
        assertThat(readAll(log)).isEqualTo(stored);
        log.kill();
        fs.setCapacityBytes(Long.MAX_VALUE);
        fs.crash();
        try (PartitionLog again = open(fs, cfg)) {
            assertThat(readAll(again)).isEqualTo(stored);
        }
    }

    @Test
    void aFullDiskWhileRecordingANewEpochChangesNothing() {
        LogConfig cfg = config(FsyncPolicy.ALWAYS, 1 << 20);
        try (PartitionLog log = open(fs, cfg)) {
            log.append(1, payload(0));
            fs.setCapacityBytes(fs.usedBytes() + 10); // the new epoch file does not fit
            assertCode(StorageErrorCode.DISK_FULL, () -> log.append(2, payload(1)));
            assertThat(log.latestEpoch()).isEqualTo(1);
            assertThat(log.endOffset()).isEqualTo(1);
            assertThat(log.failed()).isFalse();
            fs.setCapacityBytes(Long.MAX_VALUE);
            assertThat(log.append(2, payload(1))).isEqualTo(1);
            assertThat(log.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 1));
        }
    }

    @Test
    void anAcknowledgedAppendIsNeverLostWhenFsyncsStartFailing() {
        LogConfig cfg = config(FsyncPolicy.ALWAYS, 300);
        List<byte[]> acked = new ArrayList<>();
        PartitionLog log = open(fs, cfg);
        for (int i = 0; i < 50; i++) {
            if (i == 37) {
                fs.setFailSyncs(true);
            }
            try {
                log.append(1, payload(i));
                acked.add(payload(i));
            } catch (StorageException e) {
                assertThat(e.code()).isEqualTo(StorageErrorCode.LOG_FAILED);
            }
        }
        assertThat(acked).hasSize(37);
        log.kill();
        fs.setFailSyncs(false);
        fs.crash();
        try (PartitionLog again = open(fs, cfg)) {
            List<LogRecord> got = readAll(again);
            assertThat(got.size()).isGreaterThanOrEqualTo(37);
            for (int i = 0; i < 37; i++) {
                assertThat(got.get(i).payload()).isEqualTo(acked.get(i));
            }
        }
    }
}
