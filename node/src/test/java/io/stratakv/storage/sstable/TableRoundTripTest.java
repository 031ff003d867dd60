package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalIterator;
import io.stratakv.storage.lsm.InternalKey;
import io.stratakv.storage.sstable.TestTables.KV;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Build a table from random versions, then check point reads, scans and seeks against a model. */
class TableRoundTripTest {

    @ParameterizedTest(name = "seed {0}, block {1} B, restart every {2}, cache {3}")
    @CsvSource({
            "1, 64, 1, true", "2, 64, 2, false", "3, 256, 16, true", "4, 4096, 16, true",
            "5, 1, 3, true", "6, 512, 4, false", "7, 128, 16, true", "8, 32768, 64, true"})
    void pointReadsScansAndSeeksMatchTheModel(long seed, int blockSize, int restartInterval, boolean useCache) {
        Random rnd = new Random(seed);
        List<KV> entries = TestTables.randomEntries(rnd, 600, 6, 300);
        byte[] file = TestTables.build(new TableOptions(blockSize, restartInterval, 10), entries);
        VersionModel model = new VersionModel(entries);
        BlockCache cache = useCache ? new BlockCache(1 << 20, 4) : null;
        TableStats stats = new TableStats();

        try (TableReader table = TestTables.open(file, cache, stats)) {
            assertThat(table.entryCount()).isEqualTo(entries.size());
            assertThat(table.smallestKey()).isEqualTo(entries.get(0).key());
            assertThat(table.largestKey()).isEqualTo(entries.get(entries.size() - 1).key());
            if (blockSize <= 512) {
                assertThat(table.dataBlockCount()).isGreaterThan(10);
            }

            for (byte[] user : model.userKeys()) {
                List<Long> snapshots = new ArrayList<>(List.of(0L, InternalKey.MAX_SEQUENCE, Long.MAX_VALUE));
                for (long s : model.sequences(user)) {
                    snapshots.add(s);
                    snapshots.add(s - 1);
                    snapshots.add(s + 1);
                }
                for (long snap : snapshots) {
                    checkGet(table, model, user, snap);
                }
                // Absent neighbours: the key with a byte appended, and a prefix of it.
                byte[] longer = java.util.Arrays.copyOf(user, user.length + 1);
                checkGet(table, model, longer, Long.MAX_VALUE);
                if (user.length > 0) {
                    checkGet(table, model, java.util.Arrays.copyOf(user, user.length - 1), Long.MAX_VALUE);
                }
            }

            for (boolean fill : new boolean[] {true, false}) {
                try (InternalIterator it = table.iterator(fill)) {
                    assertThat(TestTables.sameEntries(TestTables.scan(it), entries)).as("full scan").isTrue();
                }
            }

            try (InternalIterator it = table.iterator()) {
                for (int i = 0; i < 2000; i++) {
                    byte[] target = seekTarget(rnd, entries);
                    it.seek(target);
                    KV want = model.ceiling(target);
                    if (want == null) {
                        assertThat(it.valid()).as("seek past the end to %s", InternalKey.describe(target)).isFalse();
                    } else {
                        assertThat(it.valid()).as("seek to %s", InternalKey.describe(target)).isTrue();
                        assertThat(it.key()).isEqualTo(want.key());
                        assertThat(it.value()).isEqualTo(want.value());
                        // and the scan continues correctly from there
                        it.next();
                        int at = indexOf(entries, want.key());
                        if (at + 1 < entries.size()) {
                            assertThat(it.key()).isEqualTo(entries.get(at + 1).key());
                        } else {
                            assertThat(it.valid()).isFalse();
                        }
                    }
                }
            }
        }
        if (useCache) {
            assertThat(cache.hits()).isPositive();
            assertThat(cache.usedBytes()).as("close evicts the file's blocks").isZero();
        }
        assertThat(stats.bloomChecks()).isPositive();
    }

    private static void checkGet(TableReader table, VersionModel model, byte[] user, long snap) {
        KV want = model.get(user, snap);
        TableReader.Entry got = table.get(user, snap);
        if (want == null) {
            if (got != null) {
                fail("get(%s, %d) returned %s, model has nothing", hex(user), snap, InternalKey.describe(got.internalKey()));
            }
        } else {
            if (got == null) {
                fail("get(%s, %d) returned nothing, model has %s", hex(user), snap, want);
            }
            assertThat(got.internalKey()).isEqualTo(want.key());
            assertThat(got.value()).isEqualTo(want.value());
        }
    }

    private static byte[] seekTarget(Random rnd, List<KV> entries) {
        KV base = entries.get(rnd.nextInt(entries.size()));
        byte[] user = InternalKey.userKey(base.key());
        return switch (rnd.nextInt(5)) {
            case 0 -> base.key();
            case 1 -> InternalKey.encode(user, InternalKey.sequence(base.key()) + rnd.nextInt(3) - 1, InternalKey.TYPE_SEEK);
            case 2 -> InternalKey.encode(java.util.Arrays.copyOf(user, user.length + 1), 5, InternalKey.TYPE_SEEK);
            case 3 -> InternalKey.encode(TestTables.randomBytes(rnd, rnd.nextInt(4)), rnd.nextInt(5000), InternalKey.TYPE_PUT);
            default -> InternalKey.encode(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, 0, InternalKey.TYPE_DELETE);
        };
    }

    private static int indexOf(List<KV> entries, byte[] key) {
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = InternalKey.COMPARATOR.compare(entries.get(mid).key(), key);
            if (c == 0) {
                return mid;
            } else if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        throw new AssertionError("not found");
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
