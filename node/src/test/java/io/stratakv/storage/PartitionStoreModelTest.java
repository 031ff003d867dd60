package io.stratakv.storage;

import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine against a TreeMap: random puts, deletes, gets and scans, interleaved with flushes,
 * compactions, clean reopens and power losses on a file system that forgets what was not fsynced.
 * After a power loss the store must equal the model as of some prefix of the writes that includes
 * every write acknowledged as durable.
 */
class PartitionStoreModelTest {

    private static final Path DIR = Path.of("/data/p0");

    static LongStream seeds() {
        return LongStream.range(1, 25);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchesModelUnderFsyncAlways(long seed) {
        run(seed, FsyncPolicy.ALWAYS, 1500);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchesAPrefixUnderFsyncNever(long seed) {
        run(seed, FsyncPolicy.NEVER, 1500);
    }

    private void run(long seed, FsyncPolicy policy, int steps) {
        Random rnd = new Random(seed);
        CrashSimulatingFs fs = new CrashSimulatingFs();
        StoreOptions opts = TestStores.tiny(policy);
        TreeMap<String, String> model = new TreeMap<>();
        // history.get(i) = the model after the write at log offset i (for prefix checks after a crash)
        List<TreeMap<String, String>> history = new ArrayList<>();
        PartitionStore store = PartitionStore.open(fs, DIR, opts, null);
        long durableFloor = 0; // every offset below it was fsynced and must survive
        try {
            for (int step = 0; step < steps; step++) {
                int op = rnd.nextInt(100);
                String key = "k" + rnd.nextInt(200);
                if (op < 45) {
                    String value = "v" + step + "-" + "x".repeat(rnd.nextInt(40));
                    long off = store.put(b(key), b(value));
                    assertThat(off).isEqualTo(history.size());
                    model.put(key, value);
                    history.add(new TreeMap<>(model));
                } else if (op < 60) {
                    long off = store.delete(b(key));
                    assertThat(off).isEqualTo(history.size());
                    model.remove(key);
                    history.add(new TreeMap<>(model));
                } else if (op < 80) {
                    assertThat(s(store.get(b(key)))).as("get %s at step %d", key, step).isEqualTo(model.get(key));
                } else if (op < 88) {
                    String from = "k" + rnd.nextInt(200);
                    String to = rnd.nextBoolean() ? null : from + "~";
                    assertScanEquals(store, model, from, to);
                } else if (op < 91) {
                    store.flush();
                } else if (op < 94) {
                    store.tree().compactLevel(rnd.nextInt(LsmTreeLevels.COMPACTABLE));
                } else if (op < 96) {
                    store.close();
                    store = PartitionStore.open(fs, DIR, opts, null);
                    assertAll(store, model);
                } else {
                    if (policy == FsyncPolicy.ALWAYS) {
                        durableFloor = history.size();
                    } else {
                        durableFloor = store.log().durableEndOffset();
                    }
                    // The process dies: nothing more reaches the file system, then power is lost.
                    fs.dieAfterOps(0);
                    closeAfterDeath(store);
                    fs.crash(rnd.nextBoolean() ? rnd : null);
                    store = PartitionStore.open(fs, DIR, opts, null);
                    long end = store.log().endOffset();
                    assertThat(end).as("log end after crash").isBetween(durableFloor, (long) history.size());
                    // The writes that did not survive are gone from the model too.
                    while (history.size() > end) {
                        history.remove(history.size() - 1);
                    }
                    model = history.isEmpty() ? new TreeMap<>() : new TreeMap<>(history.get(history.size() - 1));
                    assertAll(store, model);
                }
            }
            store.compactAll();
            assertAll(store, model);
        } finally {
            store.close();
        }
    }

    static void closeAfterDeath(PartitionStore store) {
        try {
            store.close();
        } catch (RuntimeException expected) {
            // every file operation fails after death; closing only stops the threads
        }
    }

    static void assertAll(PartitionStore store, TreeMap<String, String> model) {
        assertScanEquals(store, model, null, null);
        for (Map.Entry<String, String> e : model.entrySet()) {
            assertThat(s(store.get(b(e.getKey())))).as("get %s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    static void assertScanEquals(PartitionStore store, TreeMap<String, String> model, String from, String to) {
        Map<String, String> expected = from == null ? model : to == null ? model.tailMap(from, true) : model.subMap(from, true, to, false);
        List<String> got = new ArrayList<>();
        try (KvIterator it = store.scan(from == null ? null : b(from), to == null ? null : b(to))) {
            while (it.next()) {
                got.add(s(it.key()) + "=" + s(it.value()));
            }
        }
        List<String> want = expected.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        assertThat(got).as("scan [%s, %s)", from, to).isEqualTo(want);
    }

    /** Levels a test may name in compactLevel. */
    static final class LsmTreeLevels {
        static final int COMPACTABLE = io.stratakv.storage.lsm.LsmTree.levels() - 1;
    }
}
