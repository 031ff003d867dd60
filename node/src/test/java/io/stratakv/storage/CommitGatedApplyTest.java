package io.stratakv.storage;

import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import io.stratakv.storage.log.LogRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A replica applies only committed records, so a divergent uncommitted suffix can be cut after a
 * failover without the tree ever having shown it (DESIGN.md §3, "Only committed entries are applied").
 */
class CommitGatedApplyTest {

    private static final Path DIR = Path.of("/data/p");

    @Test
    void appendedRecordsAreInvisibleUntilCommitted() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        StoreOptions opts = TestStores.tiny(FsyncPolicy.ALWAYS);
        try (PartitionStore store = PartitionStore.open(fs, DIR, opts, null, null, false)) {
            store.setEpoch(1);
            long a = store.append(Mutation.put(b("k"), b("v1")));
            long c = store.append(Mutation.put(b("k"), b("v2")));
            assertThat(store.get(b("k"))).isNull();
            store.commitTo(a + 1);
            assertThat(s(store.get(b("k")))).isEqualTo("v1");
            assertThat(store.commitEnd()).isEqualTo(a + 1);
            // The uncommitted v2 is a divergent suffix: cut it; readers never saw it.
            store.truncateUncommitted(c);
            assertThat(store.log().endOffset()).isEqualTo(c);
            assertThat(s(store.get(b("k")))).isEqualTo("v1");
            // Applied records cannot be cut.
            StorageException e = catchThrowableOfType(StorageException.class, () -> store.truncateUncommitted(a));
            assertThat(e.code()).isEqualTo(StorageErrorCode.INVALID_ARGUMENT);
            // Commit cannot pass the log end.
            e = catchThrowableOfType(StorageException.class, () -> store.commitTo(store.log().endOffset() + 1));
            assertThat(e.code()).isEqualTo(StorageErrorCode.INVALID_ARGUMENT);
        }
    }

    @Test
    void followerRecordsApplyFromTheLogWhenCommittedAndReopenAppliesNothingUncommitted() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        StoreOptions opts = TestStores.tiny(FsyncPolicy.ALWAYS);
        try (PartitionStore follower = PartitionStore.open(fs, DIR, opts, null, null, false)) {
            follower.appendReplicated(List.of(
                    new LogRecord(0, 3, Mutation.put(b("a"), b("1")).encode()),
                    new LogRecord(1, 3, Mutation.put(b("b"), b("2")).encode()),
                    new LogRecord(2, 3, Mutation.delete(b("a")).encode())));
            follower.commitTo(2);
            assertThat(s(follower.get(b("a")))).isEqualTo("1");
            assertThat(s(follower.get(b("b")))).isEqualTo("2");
            follower.flush();
        }
        try (PartitionStore reopened = PartitionStore.open(fs, DIR, opts, null, null, false)) {
            // offset 2 (delete a) was never committed: not applied after a restart either
            assertThat(s(reopened.get(b("a")))).isEqualTo("1");
            assertThat(reopened.commitEnd()).isEqualTo(2);
            reopened.commitTo(3);
            assertThat(reopened.get(b("a"))).isNull();
        }
    }

    @Test
    void epochsOnlyRise() {
        try (PartitionStore store = PartitionStore.open(new CrashSimulatingFs(), DIR, TestStores.tiny(FsyncPolicy.NEVER), null)) {
            store.setEpoch(5);
            StorageException e = catchThrowableOfType(StorageException.class, () -> store.setEpoch(4));
            assertThat(e.code()).isEqualTo(StorageErrorCode.STALE_EPOCH);
        }
    }
}
