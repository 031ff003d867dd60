package io.stratakv.storage.lsm;

import io.stratakv.storage.TestStores;
import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static io.stratakv.storage.TestStores.b;
import static org.assertj.core.api.Assertions.assertThat;

/** Decodes CURRENT and a manifest using only what MANIFEST_FORMAT.md says, to keep the doc true. */
class ManifestFormatTest {

    @Test
    void manifestDecodesAsDocumented() throws Exception {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        Path dir = Path.of("/db");
        long tableBytes;
        long applied;
        try (LsmTree tree = LsmTree.open(fs, dir, TestStores.tiny(FsyncPolicy.NEVER))) {
            for (int i = 0; i < 500; i++) {
                tree.put(b("key" + i), b("value" + i), 1000 + i);
            }
            tree.flush();
            tree.compactLevel(0);
            tree.delete(b("key7"), 2000);
            tree.flush();
            tableBytes = tree.liveTableBytes();
            applied = tree.persistedLogOffset();
        }
        byte[] current = fs.readAll(dir.resolve("CURRENT"));
        assertThat(current).hasSize(16);
        String name = new String(current, StandardCharsets.US_ASCII);
        assertThat(name).matches("MANIFEST-\\d{6}\n");

        ByteBuffer m = ByteBuffer.wrap(fs.readAll(dir.resolve(name.trim())));
        Map<Long, Long> liveSizes = new HashMap<>();
        long appliedField = Long.MIN_VALUE;
        int records = 0;
        while (m.hasRemaining()) {
            int length = m.getInt();
            int crc = m.getInt();
            byte[] payload = new byte[length];
            m.get(payload);
            CRC32C c = new CRC32C();
            c.update(payload);
            assertThat((int) c.getValue()).isEqualTo(crc);
            ByteBuffer p = ByteBuffer.wrap(payload);
            List<Integer> tags = new ArrayList<>();
            while (p.hasRemaining()) {
                int tag = (int) varint(p);
                tags.add(tag);
                switch (tag) {
                    case 6 -> assertThat(varint(p)).isEqualTo(7);
                    case 1, 2 -> varint(p);
                    case 3 -> appliedField = varint(p) - 1;
                    case 4 -> {
                        varint(p);
                        liveSizes.remove(varint(p));
                    }
                    case 5 -> {
                        long level = varint(p);
                        assertThat(level).isBetween(0L, 6L);
                        long number = varint(p);
                        long size = varint(p);
                        varint(p);
                        byte[] smallest = new byte[(int) varint(p)];
                        p.get(smallest);
                        byte[] largest = new byte[(int) varint(p)];
                        p.get(largest);
                        long trailer = ByteBuffer.wrap(smallest, smallest.length - 8, 8).getLong();
                        assertThat(trailer & 0xFF).isIn(0L, 1L);
                        liveSizes.put(number, size);
                    }
                    default -> throw new AssertionError("undocumented tag " + tag);
                }
            }
            if (records == 0) {
                assertThat(tags).as("the first record is a snapshot").contains(6, 1, 2, 3);
            }
            records++;
        }
        assertThat(liveSizes.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(tableBytes);
        assertThat(appliedField).isEqualTo(applied).isEqualTo(2000);
        for (long number : liveSizes.keySet()) {
            assertThat(fs.exists(dir.resolve(String.format("%06d.sst", number)))).isTrue();
        }
    }

    private static long varint(ByteBuffer b) {
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
