package io.stratakv.storage.lsm;

import io.stratakv.storage.StorageException;
import io.stratakv.storage.TestStores;
import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A failed fsync of a manifest append says nothing about whether the record reached the disk: the
 * OS may still write it. The tables that record names must therefore survive until the next open
 * decides (rocksdb keeps them too); deleting them made the tree unopenable.
 */
class ManifestFsyncFailureTest {

    private static final Path DIR = Path.of("/db");

    private static boolean isManifest(Path p) {
        return p.getFileName().toString().startsWith(Manifest.PREFIX);
    }

    @Test
    void tablesOfAFlushWhoseManifestFsyncFailedAreNotDeleted() {
        CrashSimulatingFs disk = new CrashSimulatingFs();
        HookFs fs = new HookFs(disk);
        LsmTree tree = LsmTree.open(fs, DIR, TestStores.tiny(FsyncPolicy.NEVER));
        tree.put(b("k"), b("v"), -1);
        fs.failSyncOf = ManifestFsyncFailureTest::isManifest;
        assertThatThrownBy(tree::flush).isInstanceOf(StorageException.class);
        tree.close();
        fs.failSyncOf = p -> false;
        // The process restarts (no power loss): the manifest record was written, only its fsync failed.
        try (LsmTree reopened = LsmTree.open(disk, DIR, TestStores.tiny(FsyncPolicy.NEVER))) {
            assertThat(s(reopened.get(b("k")))).isEqualTo("v");
        }
    }

    @Test
    void outputsOfACompactionWhoseManifestFsyncFailedAreNotDeleted() {
        CrashSimulatingFs disk = new CrashSimulatingFs();
        HookFs fs = new HookFs(disk);
        LsmTree tree = LsmTree.open(fs, DIR, TestStores.tiny(FsyncPolicy.NEVER));
        tree.put(b("a"), b("1"), -1);
        tree.flush();
        tree.put(b("b"), b("2"), -1);
        tree.flush();
        tree.awaitCompactions(); // L0 trigger is 2: the two tables are merged into L1
        tree.put(b("a"), b("3"), -1);
        tree.flush();
        fs.failSyncOf = ManifestFsyncFailureTest::isManifest;
        assertThatThrownBy(() -> tree.compactLevel(0)).isInstanceOf(StorageException.class);
        tree.close();
        fs.failSyncOf = p -> false;
        try (LsmTree reopened = LsmTree.open(disk, DIR, TestStores.tiny(FsyncPolicy.NEVER))) {
            assertThat(s(reopened.get(b("a")))).isEqualTo("3");
            assertThat(s(reopened.get(b("b")))).isEqualTo("2");
        }
    }
}
