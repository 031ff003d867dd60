package io.stratakv.storage.log;

import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.CrashSimulatingFs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.stratakv.storage.log.LogTesting.DIR;
import static io.stratakv.storage.log.LogTesting.config;
import static io.stratakv.storage.log.LogTesting.killAndCrash;
import static io.stratakv.storage.log.LogTesting.open;
import static io.stratakv.storage.log.LogTesting.overwrite;
import static io.stratakv.storage.log.LogTesting.payload;
import static io.stratakv.storage.log.LogTesting.readAll;
import static io.stratakv.storage.log.LogTesting.segmentPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Power loss, torn writes, damaged bytes and read errors at open. */
class CrashRecoveryTest {

    private final CrashSimulatingFs fs = new CrashSimulatingFs();

    @Test
    void neverPolicyLosesOnlyTheUnsyncedSuffix() {
        LogConfig cfg = config(FsyncPolicy.NEVER, 1 << 20);
        PartitionLog log = open(fs, cfg);
        for (int i = 0; i < 10; i++) {
            log.append(1, payload(i));
        }
        log.sync();
        assertThat(log.durableEndOffset()).isEqualTo(10);
        for (int i = 10; i < 20; i++) {
            log.append(1, payload(i));
        }
        killAndCrash(log, fs);
        try (PartitionLog again = open(fs, cfg)) {
            assertThat(again.endOffset()).isEqualTo(10);
            assertThat(readAll(again)).extracting(LogRecord::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(again.append(1, payload(10))).isEqualTo(10);
        }
    }

    @Test
    void rolledSegmentsAreDurableWhateverThePolicy() {
        LogConfig cfg = config(FsyncPolicy.NEVER, 200);
        PartitionLog log = open(fs, cfg);
        for (int i = 0; i < 20; i++) {
            log.append(1, new byte[50]); // 74-byte frames, 2 per segment
        }
        assertThat(log.durableEndOffset()).as("everything before the active segment").isEqualTo(18);
        killAndCrash(log, fs);
        try (PartitionLog again = open(fs, cfg)) {
            assertThat(again.endOffset()).isEqualTo(18);
        }
    }

    @Test
    void intervalPolicyLosesAtMostWhatTheFlusherHadNotSynced() {
        LogConfig cfg = config(FsyncPolicy.INTERVAL, 1 << 20).withFsyncInterval(Duration.ofMillis(2));
        PartitionLog log = open(fs, cfg);
        for (int i = 0; i < 10; i++) {
            log.append(1, payload(i));
        }
        LogTesting.awaitCondition("the flusher", () -> log.durableEndOffset() == 10);
        killAndCrash(log, fs);
        try (PartitionLog again = open(fs, cfg)) {
            assertThat(again.endOffset()).isEqualTo(10);
        }
    }

    @Test
    void awaitDurableFsyncsOnDemandUnderInterval() {
        LogConfig cfg = config(FsyncPolicy.INTERVAL, 1 << 20); // one-hour interval: the flusher never runs here
        PartitionLog log = open(fs, cfg);
        for (int i = 0; i < 10; i++) {
            log.append(1, payload(i));
        }
        log.awaitDurable(6);
        assertThat(log.durableEndOffset()).isEqualTo(10);
        log.append(1, payload(10));
        killAndCrash(log, fs);
        try (PartitionLog again = open(fs, cfg)) {
            assertThat(again.endOffset()).isEqualTo(10);
        }
    }

    /**
     * Torn writes: after each crash every file keeps a random prefix of its unsynced tail, maybe
     * followed by zeros. The log always reopens, holds a prefix of what was written, and holds every
     * record that was durable.
     */
    @Test
    void randomTornTailsAlwaysReopenToADurablePrefix() {
        for (int seed = 0; seed < 300; seed++) {
            Random rnd = new Random(seed);
            CrashSimulatingFs cfs = new CrashSimulatingFs();
            FsyncPolicy policy = FsyncPolicy.values()[rnd.nextInt(3)];
            LogConfig cfg = config(policy, 128 + rnd.nextInt(2048));
            List<LogRecord> written = new ArrayList<>();
            long durable = 0;
            long epoch = 1;
            for (int crash = 0; crash < 3; crash++) {
                PartitionLog log = reopen(cfg, cfs, seed);
                assertPrefix(seed, log, written, durable);
                written = new ArrayList<>(written.subList(0, (int) log.endOffset()));
                epoch = Math.max(epoch, log.latestEpoch());
                int ops = 1 + rnd.nextInt(40);
                for (int op = 0; op < ops; op++) {
                    if (rnd.nextInt(10) == 0) {
                        epoch += 1 + rnd.nextInt(2);
                    }
                    int n = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(8) : 1;
                    List<byte[]> batch = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        byte[] p = new byte[rnd.nextInt(rnd.nextInt(10) == 0 ? 700 : 60)];
                        rnd.nextBytes(p);
                        batch.add(p);
                    }
                    long first = log.endOffset();
                    log.appendBatch(epoch, batch);
                    for (int i = 0; i < n; i++) {
                        written.add(new LogRecord(first + i, epoch, batch.get(i)));
                    }
                    if (rnd.nextInt(8) == 0) {
                        log.sync();
                    }
                }
                durable = log.durableEndOffset();
                log.kill();
                cfs.crash(rnd);
            }
            PartitionLog last = reopen(cfg, cfs, seed);
            assertPrefix(seed, last, written, durable);
            last.close();
        }
    }

    private static PartitionLog reopen(LogConfig cfg, CrashSimulatingFs cfs, int seed) {
        try {
            return LogTesting.open(cfs, cfg);
        } catch (RuntimeException e) {
            throw new AssertionError("seed " + seed + ": reopen after a torn-write crash failed", e);
        }
    }

    private static void assertPrefix(int seed, PartitionLog log, List<LogRecord> written, long durable) {
        assertThat(log.endOffset()).as("seed %d: durable records survive", seed).isGreaterThanOrEqualTo(durable);
        assertThat(log.endOffset()).as("seed %d: nothing invented", seed).isLessThanOrEqualTo(written.size());
        assertThat(readAll(log)).as("seed %d: a prefix of what was written", seed)
                .isEqualTo(written.subList(0, (int) log.endOffset()));
        for (EpochEntry e : log.epochs()) {
            assertThat(e.startOffset()).as("seed %d: %s", seed, log.epochs()).isLessThanOrEqualTo(log.endOffset());
        }
    }

    @Test
    void aDamagedRecordInTheMiddleFailsTheOpenNamingFileAndPosition() throws Exception {
        List<Long> positions = writeAndClose(20, 1 << 20);
        Path seg = segmentPath(0);
        byte[] bytes = fs.readAll(seg);
        long at = positions.get(5) + RecordFrame.HEADER_BYTES + 2; // a payload byte of record 5
        bytes[(int) at] ^= 0x01;
        overwrite(fs, seg, bytes);
        assertThatThrownBy(() -> open(fs, config(FsyncPolicy.NEVER, 1 << 20)))
                .isInstanceOfSatisfying(CorruptionException.class, e -> {
                    assertThat(e.file()).isEqualTo(seg.toString());
                    assertThat(e.position()).isEqualTo(positions.get(5));
                    assertThat(e.getMessage()).contains("offset 5").contains(seg.toString());
                });
        assertThat(fs.readAll(seg)).as("nothing cut off").isEqualTo(bytes);
    }

    @Test
    void aLengthFieldDamagedIntoRunningPastTheEndIsCorruptionWhenValidRecordsFollow() throws Exception {
        List<Long> positions = writeAndClose(20, 1 << 20);
        Path seg = segmentPath(0);
        byte[] bytes = fs.readAll(seg);
        bytes[positions.get(3).intValue() + 1] = 0x10; // length ≈ 1 MiB: past the end of the file
        overwrite(fs, seg, bytes);
        assertThatThrownBy(() -> open(fs, config(FsyncPolicy.NEVER, 1 << 20)))
                .isInstanceOfSatisfying(CorruptionException.class,
                        e -> assertThat(e.position()).isEqualTo(positions.get(3)));
    }

    @Test
    void aDamagedRecordAtTheEndOfANonLastSegmentIsCorruption() throws Exception {
        writeAndClose(20, 200); // two 74-byte frames per segment
        Path first = segmentPath(0);
        byte[] bytes = fs.readAll(first);
        bytes[bytes.length - 1] ^= 0x40; // last byte of the segment's last record
        overwrite(fs, first, bytes);
        assertThatThrownBy(() -> open(fs, config(FsyncPolicy.NEVER, 200)))
                .isInstanceOfSatisfying(CorruptionException.class, e -> {
                    assertThat(e.file()).isEqualTo(first.toString());
                    assertThat(e.position()).isEqualTo(74);
                });
    }

    @Test
    void aDamagedLastRecordIsATornTailAndIsCutOff() throws Exception {
        List<Long> positions = writeAndClose(20, 1 << 20);
        Path seg = segmentPath(0);
        byte[] bytes = fs.readAll(seg);
        bytes[bytes.length - 3] ^= 0x7F;
        overwrite(fs, seg, bytes);
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            assertThat(log.endOffset()).isEqualTo(19);
            assertThat(fs.size(seg)).isEqualTo(positions.get(19));
            assertThat(log.append(1, payload(19))).isEqualTo(19);
        }
    }

    @Test
    void zerosAndAHalfWrittenHeaderAtTheEndAreATornTail() throws Exception {
        List<Long> positions = writeAndClose(5, 1 << 20);
        Path seg = segmentPath(0);
        byte[] good = fs.readAll(seg);
        for (byte[] tail : List.of(new byte[100], new byte[7], Arrays.copyOf(good, 13),
                Arrays.copyOfRange(good, positions.get(1).intValue(), positions.get(2).intValue() - 1))) {
            byte[] torn = Arrays.copyOf(good, good.length + tail.length);
            System.arraycopy(tail, 0, torn, good.length, tail.length);
            overwrite(fs, seg, torn);
            try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
                assertThat(log.endOffset()).isEqualTo(5);
            }
            assertThat(fs.readAll(seg)).isEqualTo(good);
        }
    }

    @Test
    void aReadErrorAtOpenFailsLoudlyAndTruncatesNothing() throws Exception {
        writeAndClose(20, 1 << 20);
        Path seg = segmentPath(0);
        byte[] withTornTail = Arrays.copyOf(fs.readAll(seg), (int) fs.size(seg) + 10); // zeros: would be cut
        overwrite(fs, seg, withTornTail);
        fs.setFailReads(p -> p.getFileName().toString().endsWith(".log"));
        assertThatThrownBy(() -> open(fs, config(FsyncPolicy.NEVER, 1 << 20)))
                .isInstanceOfSatisfying(StorageException.class, e -> {
                    assertThat(e.code()).isEqualTo(StorageErrorCode.IO_ERROR);
                    assertThat(e).isNotInstanceOf(CorruptionException.class);
                });
        fs.setFailReads(p -> false);
        assertThat(fs.readAll(seg)).isEqualTo(withTornTail);
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            assertThat(log.endOffset()).isEqualTo(20);
        }
    }

    @Test
    void aReadErrorOnTheEpochFileFailsTheOpen() {
        writeAndClose(3, 1 << 20);
        fs.setFailReads(p -> p.getFileName().toString().equals(CheckpointFiles.EPOCH_FILE));
        LogTesting.assertCode(StorageErrorCode.IO_ERROR, () -> open(fs, config(FsyncPolicy.NEVER, 1 << 20)));
    }

    @Test
    void orphanTempFilesAreRemoved() throws Exception {
        writeAndClose(3, 1 << 20);
        overwrite(fs, DIR.resolve(CheckpointFiles.EPOCH_FILE + ".tmp"), new byte[]{1, 2, 3});
        overwrite(fs, DIR.resolve(CheckpointFiles.START_FILE + ".tmp"), new byte[0]);
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            assertThat(log.endOffset()).isEqualTo(3);
        }
        fs.crash(); // the removal was made durable
        assertThat(fs.list(DIR)).noneMatch(n -> n.endsWith(".tmp"));
    }

    @Test
    void epochEntriesBeyondTheRecoveredEndAreDropped() throws Exception {
        LogConfig cfg = config(FsyncPolicy.NEVER, 1 << 20);
        PartitionLog log = open(fs, cfg);
        for (int i = 0; i < 5; i++) {
            log.append(1, payload(i));
        }
        log.sync();
        log.append(2, payload(5));
        log.append(2, payload(6));
        log.append(3, payload(7));
        assertThat(log.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 5), new EpochEntry(3, 7));
        killAndCrash(log, fs);
        try (PartitionLog again = open(fs, cfg)) {
            assertThat(again.endOffset()).isEqualTo(5);
            // Epoch 2 starts exactly at the end: it stays (its leader was here); epoch 3 starts beyond and goes.
            assertThat(again.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 5));
        }
        fs.crash();
        assertThat(CheckpointFiles.decodeEpochs("e", fs.readAll(DIR.resolve(CheckpointFiles.EPOCH_FILE))).entries())
                .as("rewritten durably").containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 5));
    }

    @Test
    void crashBeforeTheFirstRecordOfANewSegmentReopens() {
        LogConfig cfg = config(FsyncPolicy.NEVER, 100);
        PartitionLog log = open(fs, cfg);
        log.append(1, new byte[60]);
        log.append(1, new byte[60]); // rolls: segment 1 created, dir synced, its record unsynced
        killAndCrash(log, fs);
        try (PartitionLog again = open(fs, cfg)) {
            assertThat(again.endOffset()).isEqualTo(1);
            assertThat(again.append(1, new byte[60])).isEqualTo(1);
            assertThat(again.segmentCount()).isEqualTo(2);
        }
    }

    /** Writes n records (epoch 1) and closes; returns each record's byte position in its segment. */
    private List<Long> writeAndClose(int n, long segmentBytes) {
        List<Long> positions = new ArrayList<>();
        long pos = 0;
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, segmentBytes))) {
            for (int i = 0; i < n; i++) {
                byte[] p = segmentBytes < 1000 ? new byte[50] : payload(i);
                log.append(1, p);
                positions.add(pos);
                pos += RecordFrame.HEADER_BYTES + p.length;
            }
        }
        return positions;
    }
}
