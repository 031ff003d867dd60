package io.stratakv.storage.sstable;

import io.stratakv.storage.Coding;
import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.lsm.InternalIterator;
import io.stratakv.storage.lsm.InternalKey;
import io.stratakv.storage.sstable.TestTables.KV;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * Decoders fed arbitrary bytes throw CorruptionException and nothing else: no index errors, no
 * negative sizes, no huge allocations. To reach past the checksums, the table mutations recompute
 * the CRC of the block they damage, so the parsers see the garbage.
 */
class DecoderFuzzProperties {

    private static final List<KV> ENTRIES = TestTables.randomEntries(new Random(3), 120, 3, 40);
    private static final byte[] TABLE = TestTables.build(new TableOptions(300, 3, 10), ENTRIES);
    private static final List<BlockHandle> BLOCKS = blocksOf(TABLE);

    // ------------------------------------------------------------------------------ blocks

    @Property(tries = 2000)
    void randomBytesAsABlock(@ForAll @Size(max = 200) byte[] bytes, @ForAll long seed) {
        exerciseBlock(bytes, seed);
    }

    @Property(tries = 2000)
    void mutatedValidBlocks(@ForAll long seed) {
        Random rnd = new Random(seed);
        BlockBuilder b = new BlockBuilder(1 + rnd.nextInt(4));
        for (int i = 0; i < 1 + rnd.nextInt(20); i++) {
            b.add(InternalKey.encode(new byte[] {(byte) (i / 3), (byte) i}, 100 - i, InternalKey.TYPE_PUT),
                    TestTables.randomBytes(rnd, rnd.nextInt(10)));
        }
        int size = b.finish();
        byte[] block = Arrays.copyOf(b.buffer(), size);
        mutate(rnd, block, 0, size);
        exerciseBlock(block, seed);
    }

    private static void exerciseBlock(byte[] bytes, long seed) {
        Random rnd = new Random(seed);
        try {
            Block block = Block.decode(bytes, bytes.length, "fuzz.sst", 4096, BlockKind.DATA);
            BlockCursor c = BlockCursor.forInternalKeys();
            c.reset(block);
            int n = 0;
            for (c.seekToFirst(); c.valid() && n < 100_000; c.next()) {
                c.copyKey();
                c.copyValue();
                n++;
            }
            for (int i = 0; i < 5; i++) {
                c.seek(InternalKey.encode(TestTables.randomBytes(rnd, rnd.nextInt(3)), rnd.nextInt(200), InternalKey.TYPE_SEEK));
                if (c.valid()) {
                    c.copyKey();
                    c.next();
                }
            }
            BlockCursor names = new BlockCursor(0);
            names.reset(block);
            for (names.seekToFirst(); names.valid(); names.next()) {
                names.copyValue();
            }
            TableIndex.decode(block, 1L << 40);
        } catch (CorruptionException expected) {
            assert expected.file().equals("fuzz.sst") && expected.position() == 4096 : expected;
        }
    }

    // ------------------------------------------------------------------------------ tables

    @Property(tries = 1500)
    void mutatedTablesWithRepairedChecksums(@ForAll long seed) {
        Random rnd = new Random(seed);
        byte[] file = TABLE.clone();
        int mutations = 1 + rnd.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            if (rnd.nextInt(6) == 0) {
                mutateFooter(rnd, file);
            } else {
                BlockHandle h = BLOCKS.get(rnd.nextInt(BLOCKS.size()));
                mutate(rnd, file, (int) h.offset(), h.size());
                repairCrc(file, h);
            }
        }
        exerciseTable(file, rnd);
    }

    @Property(tries = 1000)
    void randomBytesAsATable(@ForAll @Size(max = 400) byte[] junk, @ForAll long seed) {
        Random rnd = new Random(seed);
        byte[] file = junk;
        if (rnd.nextBoolean() && junk.length >= TableFormat.FOOTER_SIZE) {
            // Give the junk a well-formed footer, so open goes on to read junk blocks.
            file = junk.clone();
            int f = file.length - TableFormat.FOOTER_SIZE;
            for (int i = 0; i < 3; i++) {
                long off = rnd.nextInt(f + 1);
                Coding.putLong(file, f + 12 * i, off);
                Coding.putInt(file, f + 12 * i + 8, rnd.nextInt(4) == 0 ? -1 : rnd.nextInt(f + 1));
            }
            Coding.putInt(file, f + 36, TableFormat.FORMAT_VERSION);
            fixFooterCrc(file);
            Coding.putLong(file, f + 44, TableFormat.MAGIC);
        }
        exerciseTable(file, rnd);
    }

    private static void exerciseTable(byte[] file, Random rnd) {
        try (TableReader t = TestTables.open(file, new BlockCache(1 << 16, 1), new TableStats())) {
            try (InternalIterator it = t.iterator()) {
                int n = 0;
                for (it.seekToFirst(); it.valid() && n < 100_000; it.next()) {
                    it.key();
                    it.value();
                    n++;
                }
            }
            for (int i = 0; i < 20; i++) {
                KV kv = ENTRIES.get(rnd.nextInt(ENTRIES.size()));
                t.get(InternalKey.userKey(kv.key()), rnd.nextBoolean() ? Long.MAX_VALUE : InternalKey.sequence(kv.key()));
                try (InternalIterator it = t.iterator(false)) {
                    it.seek(kv.key());
                    if (it.valid()) {
                        it.next();
                    }
                }
            }
        } catch (CorruptionException expected) {
            assert expected.file().equals("test.sst") : expected;
        }
    }

    // ------------------------------------------------------------------------------ mutation helpers

    /** Damages data[off, off + len): random bytes, huge varints, huge or zero restart counts, truncation-like zeros. */
    static void mutate(Random rnd, byte[] data, int off, int len) {
        if (len == 0) {
            return;
        }
        int at = off + rnd.nextInt(len);
        switch (rnd.nextInt(6)) {
            case 0 -> data[at] = (byte) rnd.nextInt(256);
            case 1 -> data[at] ^= (byte) (1 << rnd.nextInt(8));
            case 2 -> { // a 5-byte varint of 2^31 - 1 or an over-long one
                byte[] v = rnd.nextBoolean() ? new byte[] {-1, -1, -1, -1, 7} : new byte[] {-1, -1, -1, -1, -1, -1};
                System.arraycopy(v, 0, data, at, Math.min(v.length, off + len - at));
            }
            case 3 -> { // restart count
                if (len >= 4) {
                    Coding.putInt(data, off + len - 4, rnd.nextBoolean() ? rnd.nextInt() : rnd.nextInt(5));
                }
            }
            case 4 -> Arrays.fill(data, at, Math.min(off + len, at + 1 + rnd.nextInt(8)), (byte) 0);
            default -> { // a restart offset
                if (len >= 8) {
                    long count = Coding.getInt(data, off + len - 4) & 0xFFFFFFFFL;
                    if (count > 0 && count <= (len - 4) / 4) {
                        int slot = off + len - 4 - 4 * (1 + rnd.nextInt((int) count));
                        Coding.putInt(data, slot, rnd.nextInt(len + 10) - 5);
                    }
                }
            }
        }
    }

    private static void mutateFooter(Random rnd, byte[] file) {
        int f = file.length - TableFormat.FOOTER_SIZE;
        int field = rnd.nextInt(3);
        if (rnd.nextBoolean()) {
            Coding.putLong(file, f + 12 * field, rnd.nextBoolean() ? rnd.nextLong() : rnd.nextInt(file.length));
        } else {
            Coding.putInt(file, f + 12 * field + 8, rnd.nextBoolean() ? rnd.nextInt() : rnd.nextInt(file.length));
        }
        fixFooterCrc(file);
    }

    private static void fixFooterCrc(byte[] file) {
        int f = file.length - TableFormat.FOOTER_SIZE;
        CRC32C crc = new CRC32C();
        crc.update(file, f, TableFormat.FOOTER_CRC_COVERS);
        Coding.putInt(file, f + TableFormat.FOOTER_CRC_COVERS, (int) crc.getValue());
    }

    static void repairCrc(byte[] file, BlockHandle h) {
        int end = (int) h.offset() + h.size();
        CRC32C crc = new CRC32C();
        crc.update(file, (int) h.offset(), h.size());
        crc.update(file[end]);
        Coding.putInt(file, end + 1, (int) crc.getValue());
    }

    /** Every block of a well-formed table: its data blocks and the three meta blocks. */
    static List<BlockHandle> blocksOf(byte[] table) {
        List<BlockHandle> out = new ArrayList<>();
        try (TableReader t = TestTables.open(table, null, null)) {
            for (int i = 0; i < t.index().count(); i++) {
                out.add(new BlockHandle(t.index().offset(i), t.index().size(i)));
            }
        }
        TableFormat.Footer footer = TableFormat.Footer.decode(
                Arrays.copyOfRange(table, table.length - TableFormat.FOOTER_SIZE, table.length), "t", table.length);
        out.add(footer.index());
        out.add(footer.filter());
        out.add(footer.properties());
        return out;
    }
}
