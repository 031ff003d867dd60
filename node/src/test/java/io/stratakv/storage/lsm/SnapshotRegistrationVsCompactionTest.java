package io.stratakv.storage.lsm;

import io.stratakv.storage.TestStores;
import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot's sequence must be chosen atomically with its registration: compaction computes the
 * oldest snapshot from the registered ones (or its own lastSequence when there are none), so a
 * sequence picked before a compaction but registered after it refers to versions already dropped
 * (the same family as rocksdb #8608).
 */
class SnapshotRegistrationVsCompactionTest {

    @Test
    void snapshotSeesAConsistentStateWhenACompactionRunsWhileItIsBeingTaken() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        try (LsmTree tree = LsmTree.open(fs, Path.of("/db"), TestStores.tiny(FsyncPolicy.NEVER))) {
            tree.put(b("k"), b("v1"), -1);
            tree.flush();
            tree.snapshots.beforeRegister = () -> {
                tree.snapshots.beforeRegister = null;
                tree.put(b("k"), b("v2"), -1);
                tree.flush();
                tree.awaitCompactions();
                tree.compactLevel(0);
            };
            try (Snapshot snap = tree.snapshot()) {
                assertThat(s(tree.get(b("k"), snap))).as("k at snapshot %d", snap.sequence()).isIn("v1", "v2");
            }
        }
    }
}
