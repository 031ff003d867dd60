package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalKey;
import io.stratakv.storage.sstable.TestTables.KV;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;

import static io.stratakv.storage.sstable.TestTables.ikey;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SSTABLE_FORMAT.md is true: a decoder written from that page alone (ByteBuffer, CRC32C and the
 * XXH64 function the page names; none of the production decoding code) reads what TableBuilder
 * writes, and the worked example in the page is byte for byte what the builder produces.
 */
class SstableFormatDocTest {

    private static final Path DOC = Path.of("src/main/java/io/stratakv/storage/sstable/SSTABLE_FORMAT.md");

    private static String doc() throws IOException {
        Path p = Files.exists(DOC) ? DOC : Path.of("node").resolve(DOC);
        return Files.readString(p);
    }

    @Test
    void theWorkedExampleIsWhatTheBuilderWrites() throws IOException {
        String doc = doc();
        int start = doc.indexOf("```hex\n") + 7;
        String hex = doc.substring(start, doc.indexOf("```", start)).replaceAll("\\s", "");
        byte[] documented = HexFormat.of().parseHex(hex);
        byte[] built = TestTables.build(new TableOptions(4096, 16, 10), List.of(
                new KV(ikey("apple", 5, InternalKey.TYPE_PUT), ascii("red")),
                new KV(ikey("apricot", 7, InternalKey.TYPE_PUT), ascii("orange")),
                new KV(ikey("apricot", 3, InternalKey.TYPE_DELETE), new byte[0])));
        assertThat(HexFormat.of().formatHex(built)).isEqualTo(hex);

        DocDecoder d = new DocDecoder(documented);
        assertThat(d.indexOffset).isEqualTo(312);
        assertThat(d.indexSize).isEqualTo(28);
        List<byte[][]> index = d.index();
        assertThat(index).hasSize(1);
        List<byte[][]> data = d.dataBlock(index.get(0)[1]);
        assertThat(data).hasSize(3);
        assertThat(data.get(0)[0]).isEqualTo(ikey("apple", 5, InternalKey.TYPE_PUT));
        assertThat(data.get(0)[1]).isEqualTo(ascii("red"));
        assertThat(data.get(1)[0]).isEqualTo(ikey("apricot", 7, InternalKey.TYPE_PUT));
        assertThat(data.get(2)[0]).isEqualTo(ikey("apricot", 3, InternalKey.TYPE_DELETE));
        assertThat(data.get(2)[1]).isEmpty();
        Map<String, byte[]> props = d.properties();
        assertThat(props.keySet()).containsExactly("data.blocks", "deletions", "entries", "format.version",
                "key.bytes", "largest.key", "smallest.key", "value.bytes");
        assertThat(DocDecoder.varint(ByteBuffer.wrap(props.get("entries")))).isEqualTo(3);
        assertThat(DocDecoder.varint(ByteBuffer.wrap(props.get("deletions")))).isEqualTo(1);
        assertThat(props.get("largest.key")).isEqualTo(ikey("apricot", 3, InternalKey.TYPE_DELETE));
        assertThat(d.filterMayContain(ascii("apple"))).isTrue();
        assertThat(d.filterMayContain(ascii("apricot"))).isTrue();
    }

    @Test
    void aDecoderWrittenFromTheDocReadsARealTable() {
        List<KV> entries = TestTables.randomEntries(new Random(99), 400, 4, 120);
        byte[] file = TestTables.build(new TableOptions(700, 5, 10), entries);
        DocDecoder d = new DocDecoder(file);

        // Footer -> index -> first data block -> its first entries.
        List<byte[][]> index = d.index();
        assertThat(index.size()).isGreaterThan(20);
        List<byte[][]> first = d.dataBlock(index.get(0)[1]);
        for (int i = 0; i < 5; i++) {
            assertThat(first.get(i)[0]).isEqualTo(entries.get(i).key());
            assertThat(first.get(i)[1]).isEqualTo(entries.get(i).value());
        }

        // Then all of it: every data block through the index, every separator in range.
        List<byte[][]> all = new ArrayList<>();
        for (int b = 0; b < index.size(); b++) {
            List<byte[][]> block = d.dataBlock(index.get(b)[1]);
            byte[] separator = index.get(b)[0];
            assertThat(InternalKey.COMPARATOR.compare(block.get(block.size() - 1)[0], separator)).isLessThanOrEqualTo(0);
            if (b + 1 < index.size()) {
                byte[] nextFirst = d.dataBlock(index.get(b + 1)[1]).get(0)[0];
                assertThat(InternalKey.COMPARATOR.compare(separator, nextFirst)).isLessThan(0);
            }
            all.addAll(block);
        }
        assertThat(all).hasSize(entries.size());
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i)[0]).isEqualTo(entries.get(i).key());
            assertThat(all.get(i)[1]).isEqualTo(entries.get(i).value());
        }

        Map<String, byte[]> props = d.properties();
        assertThat(DocDecoder.varint(ByteBuffer.wrap(props.get("entries")))).isEqualTo(entries.size());
        assertThat(DocDecoder.varint(ByteBuffer.wrap(props.get("data.blocks")))).isEqualTo(index.size());
        assertThat(props.get("smallest.key")).isEqualTo(entries.get(0).key());
        assertThat(props.get("largest.key")).isEqualTo(entries.get(entries.size() - 1).key());

        // The filter, probed as the doc says, knows every user key and few others.
        for (KV kv : entries) {
            assertThat(d.filterMayContain(InternalKey.userKey(kv.key()))).isTrue();
        }
        int falsePositives = 0;
        for (int i = 0; i < 10_000; i++) {
            if (d.filterMayContain(ascii("absent" + i))) {
                falsePositives++;
            }
        }
        assertThat(falsePositives).isLessThan(300);

        // Point lookups by the doc's rule agree with the reader.
        try (TableReader reader = TestTables.open(file, null, null)) {
            for (int i = 0; i < entries.size(); i += 3) {
                byte[] user = InternalKey.userKey(entries.get(i).key());
                long snap = InternalKey.sequence(entries.get(i).key());
                byte[][] byDoc = d.get(user, snap);
                TableReader.Entry byReader = reader.get(user, snap);
                assertThat(byDoc[0]).isEqualTo(byReader.internalKey()).isEqualTo(entries.get(i).key());
                assertThat(byDoc[1]).isEqualTo(byReader.value());
            }
        }
    }

    @Test
    void theFilterTestVectorsInTheDocHold() {
        String[] keys = {"", "a", "hello", "user:000000001"};
        long[] seeded = {0x102a683fbfef5947L, 0xe689798ffe68ef94L, 0xbb87562ba7082834L, 0x58a58c356edbdd97L};
        int[][] probes = {
                {383, 426, 380, 399, 444, 97, 197}, {508, 135, 166, 357, 17, 10, 282},
                {334, 150, 327, 287, 443, 248, 452}, {221, 428, 189, 279, 400, 43, 470}};
        int[] lineOf10 = {0, 9, 7, 3};
        for (int i = 0; i < keys.length; i++) {
            long h = XxHash64.hash(ascii(keys[i]), 0x5354524154414246L);
            assertThat(h).isEqualTo(seeded[i]);
            assertThat(DocDecoder.probes(h, 7)).containsExactly(probes[i]);
            assertThat(DocDecoder.line(h, 10)).isEqualTo(lineOf10[i]);
        }
    }

    /** Reads a table the way SSTABLE_FORMAT.md describes it, and nothing more. */
    static final class DocDecoder {
        final ByteBuffer file;
        final long indexOffset;
        final int indexSize;
        final long filterOffset;
        final int filterSize;
        final long propertiesOffset;
        final int propertiesSize;

        DocDecoder(byte[] bytes) {
            file = ByteBuffer.wrap(bytes); // big-endian, as the doc's u32 and u64
            int f = bytes.length - 52;
            indexOffset = file.getLong(f);
            indexSize = file.getInt(f + 8);
            filterOffset = file.getLong(f + 12);
            filterSize = file.getInt(f + 20);
            propertiesOffset = file.getLong(f + 24);
            propertiesSize = file.getInt(f + 32);
            assertThat(file.getInt(f + 36)).as("version").isEqualTo(1);
            CRC32C crc = new CRC32C();
            crc.update(bytes, f, 40);
            assertThat(file.getInt(f + 40)).as("footer crc").isEqualTo((int) crc.getValue());
            assertThat(file.getLong(f + 44)).as("magic").isEqualTo(0x5354524154415353L);
            assertThat(new String(bytes, f + 44, 8, StandardCharsets.US_ASCII)).isEqualTo("STRATASS");
        }

        /** Contents of the block at (offset, size), after checking its trailer. */
        byte[] block(long offset, int size) {
            byte[] contents = new byte[size];
            file.get((int) offset, contents);
            byte type = file.get((int) offset + size);
            assertThat(type).as("compression type").isZero();
            CRC32C crc = new CRC32C();
            crc.update(contents);
            crc.update(type);
            assertThat(file.getInt((int) offset + size + 1)).as("block crc").isEqualTo((int) crc.getValue());
            return contents;
        }

        /** Entries (key, value) of a block in the format of section 4, checking restart points. */
        static List<byte[][]> entries(byte[] contents) {
            ByteBuffer b = ByteBuffer.wrap(contents);
            int r = b.getInt(contents.length - 4);
            int restartsAt = contents.length - 4 - 4 * r;
            List<Integer> restarts = new ArrayList<>();
            for (int i = 0; i < r; i++) {
                restarts.add(b.getInt(restartsAt + 4 * i));
            }
            List<byte[][]> out = new ArrayList<>();
            byte[] prev = new byte[0];
            b.position(0);
            while (b.position() < restartsAt) {
                int at = b.position();
                int shared = (int) varint(b);
                int unshared = (int) varint(b);
                int valueLength = (int) varint(b);
                if (restarts.contains(at)) {
                    assertThat(shared).as("restart point stores its key whole").isZero();
                }
                byte[] key = Arrays.copyOf(prev, shared + unshared);
                b.get(key, shared, unshared);
                byte[] value = new byte[valueLength];
                b.get(value);
                out.add(new byte[][] {key, value});
                prev = key;
            }
            return out;
        }

        List<byte[][]> index() {
            return entries(block(indexOffset, indexSize));
        }

        /** The data block named by an index value: varint offset, varint size. */
        List<byte[][]> dataBlock(byte[] handle) {
            ByteBuffer h = ByteBuffer.wrap(handle);
            long offset = varint(h);
            int size = (int) varint(h);
            assertThat(h.hasRemaining()).isFalse();
            return entries(block(offset, size));
        }

        Map<String, byte[]> properties() {
            Map<String, byte[]> out = new LinkedHashMap<>();
            for (byte[][] e : entries(block(propertiesOffset, propertiesSize))) {
                out.put(new String(e[0], StandardCharsets.US_ASCII), e[1]);
            }
            return out;
        }

        boolean filterMayContain(byte[] userKey) {
            byte[] f = block(filterOffset, filterSize);
            int k = f[f.length - 1];
            int lines = (f.length - 1) / 64;
            long h = XxHash64.hash(userKey, 0x5354524154414246L);
            int line = line(h, lines);
            for (int b : probes(h, k)) {
                if ((f[line * 64 + (b >>> 3)] >> (b & 7) & 1) == 0) {
                    return false;
                }
            }
            return true;
        }

        /** The doc's point lookup: target U + ((N << 8) | 1); first entry >= target if same user key. */
        byte[][] get(byte[] user, long snapshot) {
            byte[] target = InternalKey.encode(user, snapshot, (byte) 1);
            List<byte[][]> index = index();
            for (int b = 0; b < index.size(); b++) {
                if (InternalKey.COMPARATOR.compare(index.get(b)[0], target) < 0) {
                    continue;
                }
                for (int c = b; c < Math.min(b + 2, index.size()); c++) {
                    for (byte[][] e : dataBlock(index.get(c)[1])) {
                        if (InternalKey.COMPARATOR.compare(e[0], target) >= 0) {
                            return InternalKey.compareUserKey(e[0], user) == 0 ? e : null;
                        }
                    }
                }
                return null;
            }
            return null;
        }

        static int line(long h, int lines) {
            return (int) (((h >>> 32) * lines) >>> 32);
        }

        static int[] probes(long h, int k) {
            int[] out = new int[k];
            long x = h & 0xFFFFFFFFL;
            for (int i = 0; i < k; i++) {
                out[i] = (int) (x >>> 23);
                x = (x * 0x9E3779B9L) & 0xFFFFFFFFL;
            }
            return out;
        }

        static long varint(ByteBuffer b) {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte x = b.get();
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    return v;
                }
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
