package io.stratakv.storage.lsm;

import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.TestStores;
import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins leveldb #184 and rocksdb #2722/#2752 (deleted values came back after compaction), rocksdb
 * #13155/#8608 (snapshots taken and released around compactions let a key be dropped) and
 * scylladb #1745 (a tombstone dropped while an older version was still in memory).
 */
class DeletedKeysNeverComeBackTest {

    private static final Path DIR = Path.of("/db");

    static LongStream seeds() {
        return LongStream.range(0, 40);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void deletedKeysStayDeletedUnderAnyOrderOfCompactions(long seed) {
        Random rnd = new Random(seed);
        StoreOptions opts = TestStores.tiny(FsyncPolicy.NEVER);
        CrashSimulatingFs fs = new CrashSimulatingFs();
        Map<String, String> model = new HashMap<>();
        LsmTree tree = LsmTree.open(fs, DIR, opts);
        try {
            // Old versions spread over several levels.
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 60; i++) {
                    String k = "key" + rnd.nextInt(80);
                    String v = "r" + round + "-" + i;
                    tree.put(b(k), b(v), -1);
                    model.put(k, v);
                }
                tree.flush();
                int deep = 1 + rnd.nextInt(LsmTree.levels() - 2);
                for (int l = 0; l < deep; l++) {
                    tree.compactLevel(l);
                }
            }
            // Delete some keys while old versions sit below.
            List<String> deleted = new ArrayList<>();
            Snapshot before = rnd.nextBoolean() ? tree.snapshot() : null;
            Map<String, String> atSnapshot = new HashMap<>(model);
            for (int i = 0; i < 30; i++) {
                String k = "key" + rnd.nextInt(80);
                tree.delete(b(k), -1);
                model.remove(k);
                deleted.add(k);
            }
            // Compactions in a random order, with unrelated flushes between them, and the snapshot
            // released at a random point in the middle.
            int releaseAt = rnd.nextInt(12);
            for (int step = 0; step < 12; step++) {
                if (step == releaseAt && before != null) {
                    before.close();
                    before = null;
                }
                switch (rnd.nextInt(3)) {
                    case 0 -> tree.flush();
                    case 1 -> tree.compactLevel(rnd.nextInt(LsmTree.levels() - 1));
                    default -> {
                        String k = "other" + rnd.nextInt(1000);
                        tree.put(b(k), b("x"), -1);
                        model.put(k, "x");
                    }
                }
                for (String k : deleted) {
                    assertThat(s(tree.get(b(k)))).as("deleted %s after step %d: %s", k, step, tree.describe()).isEqualTo(model.get(k));
                }
                if (before != null) {
                    for (Map.Entry<String, String> e : atSnapshot.entrySet()) {
                        assertThat(s(tree.get(b(e.getKey()), before))).as("snapshot view of %s", e.getKey()).isEqualTo(e.getValue());
                    }
                }
            }
            tree.compactAll();
            for (Map.Entry<String, String> e : model.entrySet()) {
                assertThat(s(tree.get(b(e.getKey())))).isEqualTo(e.getValue());
            }
            for (String k : deleted) {
                assertThat(s(tree.get(b(k)))).isEqualTo(model.get(k));
            }
            // Reopen: the same holds from the files alone.
            tree.flush();
            tree.close();
            tree = LsmTree.open(fs, DIR, opts);
            for (String k : deleted) {
                assertThat(s(tree.get(b(k)))).isEqualTo(model.get(k));
            }
            if (before != null) {
                before.close();
            }
        } finally {
            tree.close();
        }
    }

    @Test
    void tombstoneIsKeptWhileAnOlderVersionLivesInADeeperLevel() {
        StoreOptions opts = TestStores.tiny(FsyncPolicy.NEVER);
        CrashSimulatingFs fs = new CrashSimulatingFs();
        try (LsmTree tree = LsmTree.open(fs, DIR, opts)) {
            tree.put(b("k"), b("old"), -1);
            tree.flush();
            tree.compactLevel(0);
            tree.compactLevel(1);
            tree.compactLevel(2); // "old" is now in L3
            tree.delete(b("k"), -1);
            tree.flush();
            tree.compactLevel(0); // the tombstone reaches L1: it must survive, L3 still holds "old"
            assertThat(tree.get(b("k"))).isNull();
            tree.compactLevel(1);
            assertThat(tree.get(b("k"))).isNull();
            tree.compactLevel(2); // tombstone meets "old" in L3: both may go now
            assertThat(tree.get(b("k"))).isNull();
            assertThat(tree.liveTableBytes()).isZero();
        }
    }

    @Test
    void tombstoneInATableDoesNotHideANewerVersionInMemory() {
        // scylladb #1745 was the reverse: GC ignored data in memory. Here memory only ever holds newer
        // data, so a tombstone collected below must never cause a newer in-memory value to vanish.
        CrashSimulatingFs fs = new CrashSimulatingFs();
        try (LsmTree tree = LsmTree.open(fs, DIR, TestStores.tiny(FsyncPolicy.NEVER))) {
            tree.put(b("k"), b("v1"), -1);
            tree.flush();
            tree.delete(b("k"), -1);
            tree.flush();
            tree.put(b("k"), b("v2"), -1); // stays in the memtable
            tree.compactLevel(0);
            tree.compactLevel(1);
            assertThat(s(tree.get(b("k")))).isEqualTo("v2");
        }
    }

    @Test
    void snapshotAtSequenceZeroSeesNothingAndKeepsNothingAlive() {
        // rocksdb #13155: a snapshot with sequence 0 confused compaction into dropping a key.
        CrashSimulatingFs fs = new CrashSimulatingFs();
        try (LsmTree tree = LsmTree.open(fs, DIR, TestStores.tiny(FsyncPolicy.NEVER))) {
            Snapshot zero = tree.snapshot();
            assertThat(zero.sequence()).isZero();
            tree.put(b("k"), b("v1"), -1);
            tree.put(b("k"), b("v2"), -1);
            tree.flush();
            tree.compactLevel(0);
            assertThat(tree.get(b("k"), zero)).isNull();
            assertThat(s(tree.get(b("k")))).isEqualTo("v2");
            zero.close();
            tree.compactLevel(1);
            assertThat(s(tree.get(b("k")))).isEqualTo("v2");
        }
    }
}
