package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalIterator;
import io.stratakv.storage.lsm.InternalKey;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Builds tables in memory and generates entries for the tests. */
final class TestTables {

    private TestTables() {
    }

    record KV(byte[] key, byte[] value) {
        @Override
        public String toString() {
            return InternalKey.describe(key) + "=" + value.length + "B";
        }
    }

    static byte[] build(TableOptions options, List<KV> sorted) {
        MemoryFile f = new MemoryFile();
        try (TableBuilder b = new TableBuilder(f, "test.sst", options)) {
            for (KV kv : sorted) {
                b.add(kv.key(), kv.value());
            }
            long size = b.finish();
            if (size != f.size()) {
                throw new AssertionError("finish returned " + size + " but wrote " + f.size());
            }
        }
        return f.bytes();
    }

    static TableReader open(byte[] bytes, BlockCache cache, TableStats stats) {
        return TableReader.open(new MemoryFile(bytes), "test.sst", 7, bytes.length, cache, stats);
    }

    static byte[] ikey(String user, long seq, byte type) {
        return InternalKey.encode(user.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), seq, type);
    }

    /**
     * Random entries, sorted: user keys over a small alphabet that includes 0x00 and 0xFF (so keys
     * share prefixes and are prefixes of each other), several versions per key with unique
     * sequences, puts and deletes, values from empty to a few hundred bytes.
     */
    static List<KV> randomEntries(Random rnd, int userKeys, int maxVersions, int maxValue) {
        byte[] alphabet = {0, 1, 'a', 'b', 'c', 0x7F, (byte) 0x80, (byte) 0xFE, (byte) 0xFF};
        TreeMap<byte[], byte[]> out = new TreeMap<>(InternalKey.COMPARATOR);
        long seq = 1 + rnd.nextInt(1000);
        for (int i = 0; i < userKeys; i++) {
            int len = rnd.nextInt(10) == 0 ? rnd.nextInt(3) : 1 + rnd.nextInt(24);
            byte[] user = new byte[len];
            for (int j = 0; j < len; j++) {
                user[j] = alphabet[rnd.nextInt(alphabet.length)];
            }
            int versions = 1 + rnd.nextInt(maxVersions);
            for (int v = 0; v < versions; v++) {
                seq += 1 + rnd.nextInt(5);
                boolean delete = rnd.nextInt(5) == 0;
                byte[] value = delete ? new byte[0] : randomBytes(rnd, rnd.nextInt(8) == 0 ? 0 : rnd.nextInt(maxValue + 1));
                out.put(InternalKey.encode(user, seq, delete ? InternalKey.TYPE_DELETE : InternalKey.TYPE_PUT), value);
            }
        }
        List<KV> list = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : out.entrySet()) {
            list.add(new KV(e.getKey(), e.getValue()));
        }
        return list;
    }

    static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    static List<KV> scan(InternalIterator it) {
        List<KV> out = new ArrayList<>();
        for (it.seekToFirst(); it.valid(); it.next()) {
            out.add(new KV(it.key(), it.value()));
        }
        return out;
    }

    static boolean sameEntries(List<KV> a, List<KV> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i).key(), b.get(i).key()) || !Arrays.equals(a.get(i).value(), b.get(i).value())) {
                return false;
            }
        }
        return true;
    }
}
