package io.stratakv.storage.log;

import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.CrashSimulatingFs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static io.stratakv.storage.log.LogTesting.DIR;
import static io.stratakv.storage.log.LogTesting.assertCode;
import static io.stratakv.storage.log.LogTesting.config;
import static io.stratakv.storage.log.LogTesting.killAndCrash;
import static io.stratakv.storage.log.LogTesting.open;
import static io.stratakv.storage.log.LogTesting.payload;
import static io.stratakv.storage.log.LogTesting.readAll;
import static io.stratakv.storage.log.LogTesting.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;

/** Suffix truncation (divergence after failover) and prefix truncation (after flush or snapshot). */
class TruncationTest {

    private final CrashSimulatingFs fs = new CrashSimulatingFs();

    /** 30 records of 50 bytes, epochs 1 (0..9), 2 (10..19), 3 (20..29); 2 frames per 200-byte segment. */
    private List<LogRecord> fill(PartitionLog log) {
        List<LogRecord> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            long epoch = 1 + i / 10;
            byte[] p = new byte[50];
            p[0] = (byte) i;
            log.append(epoch, p);
            out.add(new LogRecord(i, epoch, p));
        }
        return out;
    }

    private static byte[] eight() {
        byte[] p = new byte[50];
        p[1] = 8;
        return p;
    }

    private static LogConfig small() {
        return config(FsyncPolicy.NEVER, 200);
    }

    @Test
    void truncateSuffixInsideTheActiveSegment() {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            List<LogRecord> all = fill(log);
            log.truncateSuffix(25);
            assertThat(log.endOffset()).isEqualTo(25);
            assertThat(log.durableEndOffset()).isEqualTo(25);
            assertThat(readAll(log)).isEqualTo(all.subList(0, 25));
            assertThat(log.append(3, payload(25))).isEqualTo(25);
            assertThat(log.read(25, 0).get(0).payload()).isEqualTo(payload(25));
        }
    }

    @Test
    void truncateSuffixAcrossSegmentsDeletesTheNewerOnes() throws Exception {
        try (PartitionLog log = open(fs, small())) {
            List<LogRecord> all = fill(log);
            assertThat(log.segmentCount()).isEqualTo(15);
            log.truncateSuffix(7); // inside segment 3 (offsets 6, 7)
            assertThat(log.segmentCount()).isEqualTo(4);
            assertThat(segmentFiles(fs)).containsExactly(Segment.fileName(0), Segment.fileName(2), Segment.fileName(4),
                    Segment.fileName(6));
            assertThat(readAll(log)).isEqualTo(all.subList(0, 7));
            log.append(1, new byte[50]); // fills segment 6 again
            byte[] eight = new byte[50];
            eight[1] = 8;
            log.append(1, eight); // rolls
            assertThat(log.segmentCount()).isEqualTo(5);
        }
        try (PartitionLog log = open(fs, small())) {
            assertThat(log.endOffset()).isEqualTo(9);
            assertThat(log.read(8, 0).get(0).payload()).isEqualTo(eight());
        }
    }

    @Test
    void truncateSuffixToASegmentBaseLeavesThatSegmentEmpty() throws Exception {
        try (PartitionLog log = open(fs, small())) {
            List<LogRecord> all = fill(log);
            log.truncateSuffix(10);
            assertThat(readAll(log)).isEqualTo(all.subList(0, 10));
            assertThat(fs.size(LogTesting.segmentPath(10))).isZero();
        }
        try (PartitionLog log = open(fs, small())) {
            assertThat(log.endOffset()).isEqualTo(10);
            assertThat(log.append(1, new byte[50])).isEqualTo(10);
        }
    }

    @Test
    void truncateSuffixDropsEpochsStartingAtOrAfterIt() {
        try (PartitionLog log = open(fs, small())) {
            fill(log);
            log.truncateSuffix(21);
            assertThat(log.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 10), new EpochEntry(3, 20));
            log.truncateSuffix(20);
            assertThat(log.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 10));
            assertThat(log.latestEpoch()).isEqualTo(2);
            log.truncateSuffix(4);
            assertThat(log.epochs()).containsExactly(new EpochEntry(1, 0));
            assertThat(log.endOffsetForEpoch(7)).isEqualTo(new EpochEntry(1, 4));
        }
        try (PartitionLog log = open(fs, small())) {
            assertThat(log.epochs()).containsExactly(new EpochEntry(1, 0));
        }
    }

    @Test
    void truncateSuffixIsDurableBeforeItReturns() {
        PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20));
        List<LogRecord> all = fill(log); // none of it fsynced
        log.truncateSuffix(15);
        killAndCrash(log, fs);
        try (PartitionLog again = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            assertThat(readAll(again)).isEqualTo(all.subList(0, 15));
            assertThat(again.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 10));
        }
    }

    @Test
    void truncateSuffixOutsideTheLog() {
        try (PartitionLog log = open(fs, small())) {
            fill(log);
            log.truncateSuffix(30);
            log.truncateSuffix(100);
            assertThat(log.endOffset()).isEqualTo(30);
            log.truncatePrefix(10);
            assertCode(StorageErrorCode.OFFSET_OUT_OF_RANGE, () -> log.truncateSuffix(9));
            log.truncateSuffix(10);
            assertThat(log.endOffset()).isEqualTo(10);
            assertThat(log.read(10, 100)).isEmpty();
        }
    }

    @Test
    void truncatePrefixHidesRecordsDeletesWholeSegmentsAndPersists() throws Exception {
        List<LogRecord> all;
        try (PartitionLog log = open(fs, small())) {
            all = fill(log);
            log.truncatePrefix(13); // segment 12 holds 12, 13: it stays
            assertThat(log.startOffset()).isEqualTo(13);
            assertCode(StorageErrorCode.OFFSET_OUT_OF_RANGE, () -> log.read(12, 100));
            assertThat(readAll(log)).isEqualTo(all.subList(13, 30));
            assertThat(segmentFiles(fs)).first().isEqualTo(Segment.fileName(12));
            assertThat(log.segmentCount()).isEqualTo(9);
            assertThat(log.epochs()).containsExactly(new EpochEntry(2, 13), new EpochEntry(3, 20));
            assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEntry(-1, -1));
            log.truncatePrefix(5); // behind the start: nothing
            assertThat(log.startOffset()).isEqualTo(13);
        }
        fs.crash();
        try (PartitionLog log = open(fs, small())) {
            assertThat(log.startOffset()).isEqualTo(13);
            assertThat(readAll(log)).isEqualTo(all.subList(13, 30));
            assertThat(log.epochs()).containsExactly(new EpochEntry(2, 13), new EpochEntry(3, 20));
        }
    }

    @Test
    void truncatePrefixToTheEndKeepsTheLatestEpoch() {
        try (PartitionLog log = open(fs, small())) {
            fill(log);
            log.truncatePrefix(30);
            assertThat(log.read(30, 10)).isEmpty();
            assertThat(log.epochs()).containsExactly(new EpochEntry(3, 30));
            assertCode(StorageErrorCode.STALE_EPOCH, () -> log.append(2, payload(0)));
            assertCode(StorageErrorCode.OFFSET_OUT_OF_RANGE, () -> log.truncatePrefix(31));
        }
        try (PartitionLog log = open(fs, small())) {
            assertThat(log.startOffset()).isEqualTo(30);
            assertThat(log.endOffset()).isEqualTo(30);
            assertThat(log.latestEpoch()).isEqualTo(3);
            assertThat(log.append(3, payload(30))).isEqualTo(30);
        }
    }

    @Test
    void truncatePrefixMakesTheRecordsBelowItDurableFirst() {
        PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20));
        fill(log);
        log.truncatePrefix(20);
        killAndCrash(log, fs);
        try (PartitionLog again = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            assertThat(again.startOffset()).isEqualTo(20);
            assertThat(again.endOffset()).isGreaterThanOrEqualTo(20);
        }
    }

    /**
     * The machine dies at every single file operation of a truncation in turn; each time the log
     * reopens, holds the state before or after the truncation (or, for a suffix, something in
     * between that is a prefix of the old log), and is usable.
     */
    @Test
    void truncateSuffixSurvivesACrashAtEveryStep() {
        crashAtEveryStep(log -> log.truncateSuffix(5), (before, after) -> {
            assertThat(after.endOffset()).isBetween(5L, 30L);
            assertThat(readAll(after)).isEqualTo(before.subList(0, (int) after.endOffset()));
        });
    }

    @Test
    void truncatePrefixSurvivesACrashAtEveryStep() {
        crashAtEveryStep(log -> log.truncatePrefix(23), (before, after) -> {
            assertThat(after.startOffset()).isIn(0L, 23L);
            assertThat(after.endOffset()).isEqualTo(30);
            assertThat(readAll(after)).isEqualTo(before.subList((int) after.startOffset(), 30));
        });
    }

    @Test
    void rollingSurvivesACrashAtEveryStep() {
        crashAtEveryStep(log -> {
            for (int i = 0; i < 4; i++) {
                log.append(3, new byte[50]);
            }
        }, (before, after) -> {
            assertThat(after.endOffset()).isBetween(30L, 34L);
            assertThat(readAll(after).subList(0, 30)).isEqualTo(before);
        });
    }

    private void crashAtEveryStep(Consumer<PartitionLog> operation, java.util.function.BiConsumer<List<LogRecord>, PartitionLog> check) {
        boolean completed = false;
        for (int step = 1; !completed; step++) {
            assertThat(step).as("steps").isLessThan(200);
            CrashSimulatingFs cfs = new CrashSimulatingFs();
            InstrumentedFs ifs = new InstrumentedFs(cfs);
            PartitionLog log = open(ifs, small());
            List<LogRecord> before = fill(log);
            log.sync();
            ifs.crashAtMutation(step);
            try {
                operation.accept(log);
                completed = !ifs.crashPointHit;
            } catch (StorageException e) {
                assertThat(ifs.crashPointHit).as("step %d: %s", step, e.getMessage()).isTrue();
            }
            log.kill();
            cfs.crash();
            ifs.noCrashPoint();
            try (PartitionLog after = open(ifs, small())) {
                check.accept(before, after);
                after.append(after.latestEpoch(), payload(99));
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("crash at step " + step + " of the operation", e);
            }
        }
    }

    @Test
    void truncatedLogFilesOnDiskMatch() throws Exception {
        try (PartitionLog log = open(fs, small())) {
            fill(log);
            log.truncatePrefix(20);
            log.truncateSuffix(25);
        }
        fs.crash();
        assertThat(fs.list(DIR)).containsExactly(Segment.fileName(20), Segment.fileName(22), Segment.fileName(24),
                CheckpointFiles.EPOCH_FILE, CheckpointFiles.START_FILE);
    }
}
