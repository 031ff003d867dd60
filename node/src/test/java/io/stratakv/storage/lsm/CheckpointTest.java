package io.stratakv.storage.lsm;

import io.stratakv.storage.KvIterator;
import io.stratakv.storage.PartitionStore;
import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.TestStores;
import io.stratakv.storage.VersionedValue;
import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.fs.RealFs;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointTest {

    @Test
    void checkpointHoldsExactlyTheWritesUpToItsOffsetAndOpensAsATree(@TempDir Path tmp) throws Exception {
        StoreOptions opts = TestStores.tiny(FsyncPolicy.NEVER);
        TreeMap<String, String> atCheckpoint = new TreeMap<>();
        CheckpointInfo info;
        try (PartitionStore store = PartitionStore.open(RealFs.INSTANCE, tmp.resolve("p"), opts, null)) {
            long last = -1;
            for (int i = 0; i < 700; i++) {
                String k = "k" + (i % 230);
                if (i % 11 == 0) {
                    last = store.delete(b(k));
                    atCheckpoint.remove(k);
                } else {
                    last = store.put(b(k), b("v" + i));
                    atCheckpoint.put(k, "v" + i);
                }
            }
            info = store.checkpoint(tmp.resolve("cp"));
            assertThat(info.appliedLogOffset()).isEqualTo(last);
            // Writes and compactions after the checkpoint must not reach it.
            for (int i = 0; i < 500; i++) {
                store.put(b("k" + (i % 230)), b("after" + i));
            }
            store.compactAll();
        }
        assertThat(info.files()).isNotEmpty();
        for (String f : info.files()) {
            assertThat(Files.exists(tmp.resolve("cp").resolve(f))).isTrue();
        }
        try (LsmTree cp = LsmTree.open(RealFs.INSTANCE, tmp.resolve("cp"), opts)) {
            assertThat(cp.persistedLogOffset()).isEqualTo(info.appliedLogOffset());
            TreeMap<String, String> got = new TreeMap<>();
            try (KvIterator it = cp.scan(null, null)) {
                while (it.next()) {
                    // The tree stores each value in its version envelope (ENGINE.md).
                    got.put(s(it.key()), s(VersionedValue.decode(it.value(), "cp").value()));
                }
            }
            assertThat(got).isEqualTo(atCheckpoint);
        }
    }

    @Test
    void checkpointIntoAnExistingDirectoryIsRefused() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        try (LsmTree tree = LsmTree.open(fs, Path.of("/db"), TestStores.tiny(FsyncPolicy.NEVER))) {
            tree.put(b("a"), b("1"), 0);
            assertThatThrownBy(() -> tree.checkpoint(Path.of("/db")))
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.code()).isEqualTo(StorageErrorCode.INVALID_ARGUMENT));
        }
    }

    @Test
    void checkpointSurvivesAPowerLossOnceReturned() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        StoreOptions opts = TestStores.tiny(FsyncPolicy.NEVER);
        try (LsmTree tree = LsmTree.open(fs, Path.of("/db"), opts)) {
            for (int i = 0; i < 300; i++) {
                tree.put(b("k" + i), b("v" + i), i);
            }
            tree.checkpoint(Path.of("/cp"));
        }
        fs.crash();
        try (LsmTree cp = LsmTree.open(fs, Path.of("/cp"), opts)) {
            assertThat(cp.persistedLogOffset()).isEqualTo(299);
            for (int i = 0; i < 300; i++) {
                assertThat(s(cp.get(b("k" + i)))).isEqualTo("v" + i);
            }
        }
    }
}
