package io.stratakv.storage.log;

import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.fs.CrashSimulatingFs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.stratakv.storage.log.LogTesting.assertCode;
import static io.stratakv.storage.log.LogTesting.config;
import static io.stratakv.storage.log.LogTesting.payload;
import static io.stratakv.storage.log.LogTesting.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A follower copying the leader's records. */
class ReplicatedAppendTest {

    private final CrashSimulatingFs fs = new CrashSimulatingFs();
    private final LogConfig cfg = config(FsyncPolicy.ALWAYS, 512);

    private PartitionLog openAt(String name) {
        return PartitionLog.open(fs, Path.of("/data", name), cfg, null);
    }

    private static LogRecord rec(long offset, long epoch) {
        return new LogRecord(offset, epoch, payload(offset));
    }

    @Test
    void aFollowerCopyIsTheSameLog() {
        try (PartitionLog leader = openAt("leader"); PartitionLog follower = openAt("follower")) {
            for (int i = 0; i < 40; i++) {
                leader.append(1 + i / 15, payload(i));
            }
            while (follower.endOffset() < leader.endOffset()) {
                follower.appendReplicated(leader.read(follower.endOffset(), 300));
            }
            assertThat(readAll(follower)).isEqualTo(readAll(leader));
            assertThat(follower.epochs()).isEqualTo(leader.epochs());
            assertThat(follower.durableEndOffset()).isEqualTo(40);
        }
        try (PartitionLog follower = openAt("follower")) {
            assertThat(follower.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 15), new EpochEntry(3, 30));
        }
    }

    @Test
    void newEpochsInsideABatchAreRecorded() {
        try (PartitionLog f = openAt("f")) {
            f.appendReplicated(List.of(rec(0, 1), rec(1, 1), rec(2, 3), rec(3, 3), rec(4, 4)));
            assertThat(f.epochs()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 2), new EpochEntry(4, 4));
            f.appendReplicated(List.of());
            assertThat(f.endOffset()).isEqualTo(5);
        }
    }

    @Test
    void gapsOverlapsAndDisorderAreRefusedAndWriteNothing() {
        try (PartitionLog f = openAt("f")) {
            f.appendReplicated(List.of(rec(0, 2), rec(1, 2)));
            assertThatThrownBy(() -> f.appendReplicated(List.of(rec(3, 2))))
                    .hasMessageContaining("start at offset 3").hasMessageContaining("ends at 2");
            assertCode(StorageErrorCode.OFFSET_OUT_OF_RANGE, () -> f.appendReplicated(List.of(rec(3, 2))));
            assertCode(StorageErrorCode.OFFSET_OUT_OF_RANGE, () -> f.appendReplicated(List.of(rec(1, 2))));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> f.appendReplicated(List.of(rec(2, 2), rec(4, 2))));
            assertThatThrownBy(() -> f.appendReplicated(List.of(rec(2, 2), rec(4, 2))))
                    .hasMessageContaining("not contiguous").hasMessageContaining("offset 4 follows 2");
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> f.appendReplicated(List.of(rec(2, 2), rec(2, 2))));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> f.appendReplicated(List.of(rec(2, 3), rec(3, 2))));
            assertCode(StorageErrorCode.STALE_EPOCH, () -> f.appendReplicated(List.of(rec(2, 1))));
            assertCode(StorageErrorCode.INVALID_ARGUMENT, () -> f.appendReplicated(java.util.Arrays.asList(rec(2, 2), null)));
            assertThat(f.endOffset()).isEqualTo(2);
            assertThat(f.epochs()).containsExactly(new EpochEntry(2, 0));
        }
    }

    /**
     * KIP-101: after a failover the follower truncates to the end offset the new leader reports for
     * the follower's last epoch, not to its commit offset, then copies from there.
     */
    @Test
    void aDivergentSuffixIsTruncatedByLeaderEpochAndReplaced() {
        try (PartitionLog leader = openAt("leader"); PartitionLog follower = openAt("follower")) {
            for (int i = 0; i < 5; i++) {
                leader.append(1, payload(i));
            }
            follower.appendReplicated(leader.read(0, 1 << 20));
            for (int i = 5; i < 8; i++) {
                follower.append(2, ("lost-" + i).getBytes()); // follower led epoch 2 briefly; nothing replicated
            }
            for (int i = 5; i < 10; i++) {
                leader.append(3, payload(i));
            }
            EpochEntry answer = leader.endOffsetForEpoch(follower.latestEpoch());
            assertThat(answer).isEqualTo(new EpochEntry(1, 5));
            follower.truncateSuffix(answer.startOffset());
            follower.appendReplicated(leader.read(follower.endOffset(), 1 << 20));
            assertThat(readAll(follower)).isEqualTo(readAll(leader));
            assertThat(follower.epochs()).isEqualTo(leader.epochs());
        }
    }
}
