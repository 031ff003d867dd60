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
 * A read picks a sequence and pins the read state; compaction drops versions that no live snapshot
 * can see as of the sequence it reads. A plain get is no registered snapshot, so if its sequence
 * is chosen before the pin, a compaction installed in between may have dropped the very version
 * the get needs, and a key that always had a value reads as absent.
 */
class ReadSequenceVsCompactionTest {

    @Test
    void getNeverMissesALiveKeyWhenACompactionIsInstalledBeforeItPinsTheState() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        try (LsmTree tree = LsmTree.open(fs, Path.of("/db"), TestStores.tiny(FsyncPolicy.NEVER))) {
            tree.put(b("k"), b("v1"), -1);
            tree.flush();
            tree.beforePinningReadState = () -> {
                tree.beforePinningReadState = null;
                // Between the get's start and its pin: a newer version, flushed and compacted with
                // the old one, which compaction may drop (no snapshot is registered).
                tree.put(b("k"), b("v2"), -1);
                tree.flush();
                tree.awaitCompactions();
                tree.compactLevel(0);
            };
            assertThat(s(tree.get(b("k")))).isIn("v1", "v2");
        }
    }
}
