package io.stratakv.storage;

import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The epoch-start record (Mutation kind 3) a leader opens each epoch with: its bytes as ENGINE.md states, applied as nothing. */
class EpochStartRecordTest {

    @Test
    void encodesAsEngineMdSaysAndDecodesBack() {
        assertThat(Mutation.epochStart().encode()).containsExactly(3, 0, 0);
        Mutation m = Mutation.decode(new byte[]{3, 0, 0}, "test", 0);
        assertThat(m.kind()).isEqualTo(Mutation.Kind.EPOCH_START);
        assertThat(m.key()).isEmpty();
    }

    @Test
    void anEpochStartWithAKeyOrTrailingBytesIsCorruption() {
        assertThatThrownBy(() -> Mutation.decode(new byte[]{3, 1, 'k', 0}, "test", 7))
                .isInstanceOf(CorruptionException.class);
        assertThatThrownBy(() -> Mutation.decode(new byte[]{3, 0, 0, 9}, "test", 7))
                .isInstanceOf(CorruptionException.class);
    }

    @Test
    void committingAnEpochStartChangesNoKeyAndSurvivesReopen() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        Path dir = Path.of("/data/p");
        StoreOptions opts = TestStores.tiny(FsyncPolicy.ALWAYS);
        try (PartitionStore store = PartitionStore.open(fs, dir, opts, null, null, false)) {
            store.setEpoch(1);
            long start = store.appendEpochStart();
            long put = store.append(Mutation.put(b("k"), b("v")));
            store.commitTo(put + 1);
            assertThat(start).isEqualTo(0);
            assertThat(s(store.get(b("k")))).isEqualTo("v");
            store.setEpoch(2);
            long start2 = store.appendEpochStart();
            store.commitTo(start2 + 1);
            assertThat(store.log().latestEpoch()).isEqualTo(2);
        }
        try (PartitionStore store = PartitionStore.open(fs, dir, opts, null, null, true)) {
            assertThat(s(store.get(b("k")))).isEqualTo("v");
            assertThat(store.commitEnd()).isEqualTo(3);
        }
    }
}
