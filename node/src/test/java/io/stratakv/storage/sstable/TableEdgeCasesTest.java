package io.stratakv.storage.sstable;

import io.stratakv.storage.StorageErrorCode;
import io.stratakv.storage.StorageException;
import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.fs.RealFs;
import io.stratakv.storage.fs.StorageFs;
import io.stratakv.storage.fs.WritableFile;
import io.stratakv.storage.lsm.InternalIterator;
import io.stratakv.storage.lsm.InternalKey;
import io.stratakv.storage.sstable.TestTables.KV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.stratakv.storage.sstable.TestTables.ikey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableEdgeCasesTest {

    private static final byte[] V = {'v'};

    @Test
    void keysSharingLongPrefixesArePrefixCompressed() {
        String prefix = "p".repeat(1000);
        List<KV> entries = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            entries.add(new KV(ikey(prefix + String.format("%05d", i), 10, InternalKey.TYPE_PUT), V));
        }
        byte[] file = TestTables.build(new TableOptions(4096, 16, 10), entries);
        // 500 keys of 1013 bytes; restart points every 16 keys store the whole key, the rest ~15 bytes.
        assertThat(file.length).isLessThan(500 * 1013 / 8);
        try (TableReader t = TestTables.open(file, null, null)) {
            assertThat(TestTables.sameEntries(TestTables.scan(t.iterator()), entries)).isTrue();
            for (int i = 0; i < 500; i += 7) {
                assertThat(t.get((prefix + String.format("%05d", i)).getBytes(), 10)).isNotNull();
            }
            assertThat(t.get((prefix + "00000x").getBytes(), 10)).isNull();
        }
    }

    @Test
    void aKeyLargerThanTheBlockSizeGetsABlockOfItsOwn() {
        Random rnd = new Random(5);
        List<KV> entries = new ArrayList<>();
        entries.add(new KV(ikey("a", 1, InternalKey.TYPE_PUT), V));
        byte[] bigUser = new byte[10_000];
        Arrays.fill(bigUser, (byte) 'b');
        entries.add(new KV(InternalKey.encode(bigUser, 1, InternalKey.TYPE_PUT), TestTables.randomBytes(rnd, 20_000)));
        entries.add(new KV(ikey("c", 1, InternalKey.TYPE_PUT), V));
        byte[] file = TestTables.build(new TableOptions(4096, 16, 10), entries);
        try (TableReader t = TestTables.open(file, new BlockCache(1 << 20, 1), null)) {
            assertThat(t.dataBlockCount()).isEqualTo(2);
            assertThat(TestTables.sameEntries(TestTables.scan(t.iterator()), entries)).isTrue();
            assertThat(t.get(bigUser, 5).value()).isEqualTo(entries.get(1).value());
            assertThat(t.get("c".getBytes(), 5)).isNotNull();
        }
    }

    @Test
    void aSingleEntryTable() {
        byte[] key = ikey("only", 42, InternalKey.TYPE_PUT);
        byte[] file = TestTables.build(TableOptions.defaults(), List.of(new KV(key, "x".getBytes())));
        try (TableReader t = TestTables.open(file, null, null)) {
            assertThat(t.entryCount()).isEqualTo(1);
            assertThat(t.smallestKey()).isEqualTo(key).isEqualTo(t.largestKey());
            assertThat(t.get("only".getBytes(), 42).value()).isEqualTo("x".getBytes());
            assertThat(t.get("only".getBytes(), 41)).isNull();
            assertThat(t.get("onl".getBytes(), 100)).isNull();
            assertThat(t.get("onlz".getBytes(), 100)).isNull();
            InternalIterator it = t.iterator();
            it.seek(ikey("only", 43, InternalKey.TYPE_SEEK));
            assertThat(it.key()).isEqualTo(key);
            it.seek(ikey("only", 41, InternalKey.TYPE_SEEK));
            assertThat(it.valid()).isFalse();
        }
    }

    @Test
    void anEmptyTableIsRefusedAndTheBuilderCanStillBeAbandoned() {
        MemoryFile f = new MemoryFile();
        TableBuilder b = new TableBuilder(f, "empty.sst", TableOptions.defaults());
        assertThatThrownBy(b::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("no entries");
        assertThat(f.size()).isZero();
        b.abandon();
        assertThatThrownBy(() -> b.add(ikey("a", 1, InternalKey.TYPE_PUT), V)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void emptyUserKeysAndEmptyValuesWork() {
        List<KV> entries = List.of(
                new KV(ikey("", 9, InternalKey.TYPE_PUT), new byte[0]),
                new KV(ikey("", 3, InternalKey.TYPE_DELETE), new byte[0]),
                new KV(ikey("\u0000", 4, InternalKey.TYPE_PUT), V),
                new KV(ikey("\u00ff\u00ff", 4, InternalKey.TYPE_PUT), new byte[0]));
        byte[] file = TestTables.build(new TableOptions(1, 1, 10), entries);
        try (TableReader t = TestTables.open(file, null, null)) {
            assertThat(t.dataBlockCount()).isEqualTo(4);
            assertThat(t.get(new byte[0], 100).internalKey()).isEqualTo(entries.get(0).key());
            assertThat(t.get(new byte[0], 5).isDeletion()).isTrue();
            assertThat(t.get(new byte[0], 2)).isNull();
            assertThat(t.get(new byte[] {0}, 4).value()).isEqualTo(V);
            assertThat(t.get(new byte[] {-1, -1}, 4).value()).isEmpty();
            assertThat(TestTables.sameEntries(TestTables.scan(t.iterator()), entries)).isTrue();
        }
    }

    @Test
    void theBuilderRefusesKeysOutOfOrderOrWithoutATrailer() {
        TableBuilder b = new TableBuilder(new MemoryFile(), "t.sst", TableOptions.defaults());
        b.add(ikey("b", 5, InternalKey.TYPE_PUT), V);
        assertThatThrownBy(() -> b.add(ikey("b", 5, InternalKey.TYPE_PUT), V))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of order");
        assertThatThrownBy(() -> b.add(ikey("b", 6, InternalKey.TYPE_PUT), V))
                .as("a newer version sorts before").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(ikey("a", 1, InternalKey.TYPE_PUT), V)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(new byte[7], V)).isInstanceOf(IllegalArgumentException.class);
        b.add(ikey("b", 4, InternalKey.TYPE_DELETE), new byte[0]);
        b.add(ikey("ba", 9, InternalKey.TYPE_PUT), V);
        assertThat(b.entryCount()).isEqualTo(3);
        long size = b.finish();
        assertThatThrownBy(b::finish).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> b.add(ikey("c", 1, InternalKey.TYPE_PUT), V)).isInstanceOf(IllegalStateException.class);
        assertThat(size).isPositive();
    }

    @Test
    void theBuilderNeedsAnEmptyFile() {
        MemoryFile f = new MemoryFile();
        f.append(java.nio.ByteBuffer.wrap(new byte[3]));
        assertThatThrownBy(() -> new TableBuilder(f, "t.sst", TableOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void estimatedFileSizeTracksWhatIsWritten() {
        MemoryFile f = new MemoryFile();
        TableBuilder b = new TableBuilder(f, "t.sst", new TableOptions(1024, 16, 10));
        long last = 0;
        for (int i = 0; i < 2000; i++) {
            b.add(ikey(String.format("key%06d", i), 1, InternalKey.TYPE_PUT), new byte[50]);
            long est = b.estimatedFileSize();
            assertThat(est).isGreaterThanOrEqualTo(last);
            assertThat(est).isBetween(f.size(), f.size() + 1024 + 100);
            last = est;
        }
        long size = b.finish();
        assertThat(size).isEqualTo(f.size());
        assertThat((double) size).isCloseTo(last, org.assertj.core.data.Percentage.withPercentage(10));
    }

    @Test
    void shortSeparatorsInTheIndexStillRouteLookups() {
        // Blocks of one entry each. Between "apple" and "cherry" the index stores "b" (newest
        // trailer), between "cherry" and "egg" "d"; the last block's index key is its last key.
        List<KV> entries = List.of(
                new KV(ikey("apple", 5, InternalKey.TYPE_PUT), V),
                new KV(ikey("cherry", 5, InternalKey.TYPE_PUT), V),
                new KV(ikey("egg", 5, InternalKey.TYPE_PUT), V));
        byte[] file = TestTables.build(new TableOptions(1, 16, 10), entries);
        try (TableReader t = TestTables.open(file, null, null)) {
            assertThat(t.index().count()).isEqualTo(3);
            assertThat(t.index().key(0)).isEqualTo(ikey("b", InternalKey.MAX_SEQUENCE, InternalKey.TYPE_SEEK));
            assertThat(t.index().key(1)).isEqualTo(ikey("d", InternalKey.MAX_SEQUENCE, InternalKey.TYPE_SEEK));
            assertThat(t.index().key(2)).isEqualTo(entries.get(2).key());
            InternalIterator it = t.iterator();
            it.seek(ikey("azzz", 1, InternalKey.TYPE_SEEK));
            assertThat(it.key()).isEqualTo(entries.get(1).key());
            it.seek(ikey("b", InternalKey.MAX_SEQUENCE, InternalKey.TYPE_SEEK));
            assertThat(it.key()).isEqualTo(entries.get(1).key());
            it.seek(ikey("b", 3, InternalKey.TYPE_SEEK));
            assertThat(it.key()).isEqualTo(entries.get(1).key());
            assertThat(t.get("b".getBytes(), Long.MAX_VALUE)).isNull();
            assertThat(t.get("b".getBytes(), 3)).isNull();
            assertThat(t.get("apple".getBytes(), 4)).isNull();
            assertThat(t.get("apple".getBytes(), 5)).isNotNull();
            assertThat(t.get("cherry".getBytes(), 5)).isNotNull();
            assertThat(t.get("egg".getBytes(), 9)).isNotNull();
            assertThat(t.get("eggs".getBytes(), 9)).isNull();
        }
        // Adjacent bytes ("apple" then "banana") leave nothing shorter in between: the last key is kept.
        byte[] adjacent = TestTables.build(new TableOptions(1, 16, 10), List.of(
                new KV(ikey("apple", 5, InternalKey.TYPE_PUT), V), new KV(ikey("banana", 5, InternalKey.TYPE_PUT), V)));
        try (TableReader t = TestTables.open(adjacent, null, null)) {
            assertThat(t.index().key(0)).isEqualTo(ikey("apple", 5, InternalKey.TYPE_PUT));
        }
    }

    /** Index digests tie when keys agree on the 8 bytes after their shared prefix; the search must fall back to the keys. */
    @Test
    void indexSearchWithDigestTiesAndTargetsOutsideTheSharedPrefix() {
        Random rnd = new Random(17);
        List<KV> entries = new ArrayList<>();
        java.util.TreeMap<byte[], byte[]> sorted = new java.util.TreeMap<>(InternalKey.COMPARATOR);
        for (int i = 0; i < 400; i++) {
            String tail = Integer.toString(rnd.nextInt(50), 36) + (rnd.nextBoolean() ? "" : "\u0000");
            String user = "tenant-7/" + (rnd.nextBoolean() ? "AAAAAAAA" : "AAAAAAAB") + tail;
            sorted.put(ikey(user, 1 + rnd.nextInt(1000), rnd.nextInt(4) == 0 ? InternalKey.TYPE_DELETE : InternalKey.TYPE_PUT), V);
        }
        sorted.forEach((k, v) -> entries.add(new KV(k, v)));
        byte[] file = TestTables.build(new TableOptions(1, 1, 10), entries);
        VersionModel model = new VersionModel(entries);
        try (TableReader t = TestTables.open(file, null, null)) {
            assertThat(t.index().count()).isEqualTo(entries.size());
            List<byte[]> probes = new ArrayList<>();
            model.userKeys().forEach(probes::add);
            for (String s : new String[] {"", "tenant-7", "tenant-7/", "tenant-7/AAAAAAAA", "tenant-7/AAAAAAAA\u0000",
                    "tenant-7/AAAAAAAAz", "tenant-7/AAAAAAAC", "tenant-6/zzz", "tenant-8", "tenant-7/AAAAAAA"}) {
                probes.add(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            InternalIterator it = t.iterator();
            for (byte[] user : probes) {
                for (long snap : new long[] {0, 1, 500, 999, Long.MAX_VALUE}) {
                    KV want = model.get(user, snap);
                    TableReader.Entry got = t.get(user, snap);
                    assertThat(got == null ? null : got.internalKey()).isEqualTo(want == null ? null : want.key());
                    byte[] target = InternalKey.encode(user, Math.min(snap, InternalKey.MAX_SEQUENCE), InternalKey.TYPE_SEEK);
                    it.seek(target);
                    KV ceiling = model.ceiling(target);
                    assertThat(it.valid() ? it.key() : null).isEqualTo(ceiling == null ? null : ceiling.key());
                }
            }
        }
    }

    @Test
    void versionsOfOneKeySpanningBlocks() {
        List<KV> entries = new ArrayList<>();
        for (long seq = 100; seq >= 1; seq--) {
            entries.add(new KV(ikey("k", seq, seq % 10 == 0 ? InternalKey.TYPE_DELETE : InternalKey.TYPE_PUT),
                    ("v" + seq).getBytes()));
        }
        byte[] file = TestTables.build(new TableOptions(64, 2, 10), entries);
        try (TableReader t = TestTables.open(file, null, null)) {
            assertThat(t.dataBlockCount()).isGreaterThan(10);
            for (long snap = 0; snap <= 101; snap++) {
                TableReader.Entry e = t.get("k".getBytes(), snap);
                if (snap == 0) {
                    assertThat(e).isNull();
                } else {
                    long want = Math.min(snap, 100);
                    assertThat(e.sequence()).isEqualTo(want);
                    assertThat(e.isDeletion()).isEqualTo(want % 10 == 0);
                }
            }
        }
    }

    @Test
    void withoutAFilterEveryKeyMayBePresent() {
        byte[] file = TestTables.build(new TableOptions(4096, 16, 0), List.of(new KV(ikey("a", 1, InternalKey.TYPE_PUT), V)));
        try (TableReader t = TestTables.open(file, null, null)) {
            assertThat(t.mayContain("zzz".getBytes())).isTrue();
            assertThat(t.get("zzz".getBytes(), 5)).isNull();
            assertThat(t.get("a".getBytes(), 5)).isNotNull();
        }
    }

    @Test
    void statsCountBloomVerdictsReadsAndCacheUse() {
        List<KV> entries = TestTables.randomEntries(new Random(1), 300, 1, 50);
        byte[] file = TestTables.build(new TableOptions(512, 16, 10), entries);
        TableStats stats = new TableStats();
        BlockCache cache = new BlockCache(1 << 20, 1);
        try (TableReader t = TestTables.open(file, cache, stats)) {
            int absentRejected = 0;
            for (int i = 0; i < 1000; i++) {
                if (t.get(("absent" + i).getBytes(), Long.MAX_VALUE) == null && !t.mayContain(("absent" + i).getBytes())) {
                    absentRejected++;
                }
            }
            assertThat(stats.bloomChecks()).isGreaterThanOrEqualTo(2000);
            assertThat(stats.bloomNegatives()).isGreaterThanOrEqualTo(2L * absentRejected);
            assertThat(absentRejected).isGreaterThan(950);
            byte[] user = InternalKey.userKey(entries.get(5).key());
            t.get(user, Long.MAX_VALUE);
            long reads = stats.blockReads();
            t.get(user, Long.MAX_VALUE);
            assertThat(stats.blockReads()).as("second read of the block is a cache hit").isEqualTo(reads);
            assertThat(stats.cacheHits()).isPositive();
            assertThat(stats.cacheMisses()).isEqualTo(reads);
            // A scan that does not fill the cache reads every block but adds none.
            long cached = cache.entryCount();
            TestTables.scan(t.iterator(false));
            assertThat(cache.entryCount()).isEqualTo(cached);
        }
    }

    @Test
    void argumentsAndLifecycle() {
        byte[] file = TestTables.build(TableOptions.defaults(), List.of(new KV(ikey("a", 1, InternalKey.TYPE_PUT), V)));
        MemoryFile f = new MemoryFile(file);
        TableReader t = TableReader.open(f, "t.sst", 3, file.length, null, null);
        assertThat(t.fileNumber()).isEqualTo(3);
        assertThat(t.fileSize()).isEqualTo(file.length);
        assertThatThrownBy(() -> t.get("a".getBytes(), -1)).isInstanceOf(IllegalArgumentException.class);
        t.close();
        t.close();
        assertThat(f.closes.get()).isEqualTo(1);
        assertThatThrownBy(() -> t.get("a".getBytes(), 1)).isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(StorageErrorCode.CLOSED));
        assertThatThrownBy(() -> new TableOptions(0, 16, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TableOptions(4096, 0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TableOptions(4096, 16, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(TableOptions.defaults()).isEqualTo(new TableOptions(4096, 16, 10));
    }

    @Test
    void worksOnRealFilesAndTheCrashSimulatingFs(@TempDir Path dir) throws IOException {
        List<KV> entries = TestTables.randomEntries(new Random(8), 300, 2, 100);
        CrashSimulatingFs crashFs = new CrashSimulatingFs();
        crashFs.createDirectories(Path.of("/db"));
        for (StorageFs fs : new StorageFs[] {RealFs.INSTANCE, crashFs}) {
            Path path = fs == RealFs.INSTANCE ? dir.resolve("000012.sst") : Path.of("/db/000012.sst");
            long size;
            try (WritableFile out = fs.create(path); TableBuilder b = new TableBuilder(out, path.toString(), TableOptions.defaults())) {
                for (KV kv : entries) {
                    b.add(kv.key(), kv.value());
                }
                size = b.finish();
                out.sync();
            }
            assertThat(fs.size(path)).isEqualTo(size);
            try (TableReader t = TableReader.open(fs.openRead(path), path.toString(), 12, size, new BlockCache(1 << 20), null)) {
                assertThat(TestTables.sameEntries(TestTables.scan(t.iterator()), entries)).isTrue();
            }
        }
    }
}
