package io.stratakv.storage;

import io.stratakv.storage.log.FsyncPolicy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Options that make flushes, compactions and segment rolls happen after a few hundred writes. */
public final class TestStores {

    private TestStores() {
    }

    public static StoreOptions tiny(FsyncPolicy policy) {
        return new StoreOptions(
                8 * 1024,      // memtable
                2,             // immutable memtables before a stall
                256 * 1024,    // block cache
                256,           // block size: many blocks per table
                10,            // bloom bits per key
                4 * 1024,      // compaction output file target
                2,             // L0 compaction trigger
                8,             // L0 slowdown
                12,            // L0 stop
                16 * 1024,     // L1 target
                4,             // level multiplier
                1,             // compaction threads
                1024,          // max key
                4096,          // max value
                16 * 1024,     // log segment
                policy,
                Duration.ofMillis(5));
    }

    public static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
