package io.stratakv.storage.log;

import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.fs.CrashSimulatingFs;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.stratakv.storage.log.LogTesting.DIR;
import static io.stratakv.storage.log.LogTesting.assertCode;
import static io.stratakv.storage.log.LogTesting.config;
import static io.stratakv.storage.log.LogTesting.killAndCrash;
import static io.stratakv.storage.log.LogTesting.open;
import static io.stratakv.storage.log.LogTesting.overwrite;
import static io.stratakv.storage.log.LogTesting.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The leader-epoch file and Kafka's OffsetsForLeaderEpoch answer. */
class EpochTest {

    private final CrashSimulatingFs fs = new CrashSimulatingFs();

    @Test
    void endOffsetForEveryRequestedEpoch() {
        LogConfig cfg = config(FsyncPolicy.ALWAYS, 1 << 20);
        try (PartitionLog log = open(fs, cfg)) {
            long[] epochs = {1, 1, 2, 2, 5};
            for (int i = 0; i < epochs.length; i++) {
                assertThat(log.append(epochs[i], payload(i))).isEqualTo(i);
            }
            assertEpochAnswers(log);
            assertCode(StorageErrorCode.STALE_EPOCH, () -> log.append(4, payload(9)));
            assertCode(StorageErrorCode.STALE_EPOCH, () -> log.appendBatch(2, List.of(payload(9))));
            assertThat(log.endOffset()).isEqualTo(5);
        }
        fs.crash();
        try (PartitionLog log = open(fs, cfg)) {
            assertEpochAnswers(log);
        }
    }

    private static void assertEpochAnswers(PartitionLog log) {
        assertThat(log.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 2), new EpochEntry(5, 4));
        assertThat(log.latestEpoch()).isEqualTo(5);
        assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEntry(-1, -1));
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEntry(1, 2));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEntry(2, 4));
        assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEntry(2, 4));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEntry(2, 4));
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEntry(5, 5));
        assertThat(log.endOffsetForEpoch(6)).isEqualTo(new EpochEntry(5, 5));
        assertThat(log.endOffsetForEpoch(-3)).isEqualTo(new EpochEntry(-1, -1));
    }

    @Test
    void anEmptyLogKnowsNoEpoch() {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            assertThat(log.latestEpoch()).isEqualTo(-1);
            assertThat(log.epochs()).isEmpty();
            assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEntry(-1, -1));
            log.append(0, payload(0)); // epoch 0 is a real epoch
            assertThat(log.epochs()).containsExactly(new EpochEntry(0, 0));
        }
    }

    @Test
    void aNewEpochIsDurableBeforeTheAppendReturns() {
        LogConfig cfg = config(FsyncPolicy.NEVER, 1 << 20);
        PartitionLog log = open(fs, cfg);
        log.append(1, payload(0));
        log.sync();
        log.append(3, payload(1)); // NEVER: the record is not durable, the epoch is
        killAndCrash(log, fs);
        try (PartitionLog again = open(fs, cfg)) {
            assertThat(again.endOffset()).isEqualTo(1);
            assertThat(again.latestEpoch()).isEqualTo(3);
            assertCode(StorageErrorCode.STALE_EPOCH, () -> again.append(2, payload(1)));
        }
    }

    @Test
    void anEpochWithoutRecordsIsReplacedByTheNextOneAtTheSameOffset() {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            log.append(1, payload(0));
            fs.setCapacityBytes(fs.usedBytes() + 60); // the epoch file fits, the record does not
            assertCode(StorageErrorCode.DISK_FULL, () -> log.append(2, new byte[500]));
            fs.setCapacityBytes(Long.MAX_VALUE);
            assertThat(log.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 1));
            log.append(4, payload(1));
            assertThat(log.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(4, 1));
            assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEntry(1, 1));
        }
    }

    @Test
    void aDamagedEpochFileFailsTheOpenNamingIt() throws Exception {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            log.append(1, payload(0));
            log.append(2, payload(1));
        }
        var path = DIR.resolve(CheckpointFiles.EPOCH_FILE);
        byte[] bytes = fs.readAll(path);
        bytes[13] ^= 1;
        overwrite(fs, path, bytes);
        assertThatThrownBy(() -> open(fs, config(FsyncPolicy.NEVER, 1 << 20)))
                .isInstanceOfSatisfying(CorruptionException.class, e -> assertThat(e.file()).isEqualTo(path.toString()));
    }

    @Test
    void anEpochFileThatDisagreesWithTheRecordsFailsTheOpen() throws Exception {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            log.append(1, payload(0));
            log.append(2, payload(1));
        }
        overwrite(fs, DIR.resolve(CheckpointFiles.EPOCH_FILE),
                CheckpointFiles.encodeEpochs(new EpochHistory(List.of(new EpochEntry(1, 0)))));
        assertThatThrownBy(() -> open(fs, config(FsyncPolicy.NEVER, 1 << 20)))
                .isInstanceOf(CorruptionException.class).hasMessageContaining("offset 1 has epoch 2");
    }

    @Test
    void aMissingEpochFileWithRecordsFailsTheOpen() throws Exception {
        try (PartitionLog log = open(fs, config(FsyncPolicy.NEVER, 1 << 20))) {
            log.append(1, payload(0));
        }
        fs.delete(DIR.resolve(CheckpointFiles.EPOCH_FILE));
        assertThatThrownBy(() -> open(fs, config(FsyncPolicy.NEVER, 1 << 20))).isInstanceOf(CorruptionException.class);
    }

    @Test
    void epochHistoryRules() {
        EpochHistory h = EpochHistory.EMPTY.withNewEpoch(1, 0).withNewEpoch(3, 10).withNewEpoch(4, 20);
        assertThat(h.epochAt(0)).isEqualTo(1);
        assertThat(h.epochAt(19)).isEqualTo(3);
        assertThat(h.epochAt(25)).isEqualTo(4);
        assertThat(h.truncateFrom(20).entries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 10));
        assertThat(h.dropBeyond(20).entries()).hasSize(3);
        assertThat(h.dropBeyond(19).entries()).hasSize(2);
        assertThat(h.clampToStart(15).entries()).containsExactly(new EpochEntry(3, 15), new EpochEntry(4, 20));
        assertThat(h.clampToStart(20).entries()).containsExactly(new EpochEntry(4, 20));
        assertThat(h.withNewEpoch(9, 20).entries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 10),
                new EpochEntry(9, 20));
        assertThatThrownBy(() -> h.withNewEpoch(4, 30)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EpochHistory(List.of(new EpochEntry(2, 5), new EpochEntry(3, 5))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
