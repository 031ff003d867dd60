package io.stratakv.storage.lsm;

import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.TestStores;
import io.stratakv.storage.fs.CrashSimulatingFs;
import io.stratakv.storage.log.FsyncPolicy;
import io.stratakv.storage.sstable.BlockCache;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static io.stratakv.storage.TestStores.b;
import static io.stratakv.storage.TestStores.s;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trees sharing one block cache (a node's memory budget) number their files alike (000002.sst in
 * each); cached blocks of one tree must never answer reads of another.
 */
class SharedBlockCacheTest {

    private static java.util.Set<String> fileNumbers(LsmTree t) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("#(\\d+)\\[").matcher(t.describe());
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void treesWithTheSameFileNumbersDoNotReadEachOthersBlocks() {
        CrashSimulatingFs fs = new CrashSimulatingFs();
        // Big memtables: exactly one flush per tree, no compaction, so both hold table #2.
        StoreOptions opts = StoreOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER);
        BlockCache shared = new BlockCache(1 << 20);
        try (LsmTree a = LsmTree.open(fs, Path.of("/a"), opts, null, "a", shared);
             LsmTree c = LsmTree.open(fs, Path.of("/c"), opts, null, "c", shared)) {
            for (int i = 0; i < 200; i++) {
                a.put(b(String.format("key%04d", i)), b("from-a-" + i), i);
                c.put(b(String.format("key%04d", i)), b("from-c-" + i), i);
            }
            a.flush();
            c.flush();
            // Same file numbers in both trees: what a shared cache must keep apart.
            assertThat(fileNumbers(a)).isEqualTo(fileNumbers(c)).isNotEmpty();
            for (int round = 0; round < 2; round++) { // the second round is served from the cache
                for (int i = 0; i < 200; i++) {
                    assertThat(s(a.get(b(String.format("key%04d", i))))).isEqualTo("from-a-" + i);
                    assertThat(s(c.get(b(String.format("key%04d", i))))).isEqualTo("from-c-" + i);
                }
            }
            assertThat(a.tableStats().cacheHits()).isPositive();
            assertThat(shared.usedBytes()).isPositive().isLessThanOrEqualTo(1 << 20);
        }
    }
}
