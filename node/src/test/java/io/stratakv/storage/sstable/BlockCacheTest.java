package io.stratakv.storage.sstable;

import io.stratakv.storage.lsm.InternalKey;
import io.stratakv.storage.sstable.TestTables.KV;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class BlockCacheTest {

    /** A block of about size bytes on the heap (an empty block with padding in its array). */
    private static Block block(int size) {
        byte[] data = new byte[Math.max(4, size)];
        return Block.decode(data, 4, "c.sst", 0, BlockKind.DATA);
    }

    @Test
    void capacityIsRespectedAndOldBlocksAreEvicted() {
        BlockCache cache = new BlockCache(64 * 1024, 4);
        int charge = block(1000).charge();
        for (int i = 0; i < 1000; i++) {
            cache.putIfAbsent(1, i * 1000L, block(1000));
            assertThat(cache.usedBytes()).isLessThanOrEqualTo(cache.capacityBytes());
        }
        cache.checkInvariants();
        assertThat(cache.usedBytes()).isGreaterThan(cache.capacityBytes() - 4L * charge);
        assertThat(cache.entryCount()).isLessThan(1000);
    }

    @Test
    void hitsAndMissesAreCounted() {
        BlockCache cache = new BlockCache(1 << 20, 1);
        assertThat(cache.get(1, 0)).isNull();
        Block b = block(100);
        assertThat(cache.putIfAbsent(1, 0, b)).isSameAs(b);
        assertThat(cache.get(1, 0)).isSameAs(b);
        assertThat(cache.get(1, 0)).isSameAs(b);
        assertThat(cache.get(2, 0)).isNull();
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(cache.misses()).isEqualTo(2);
    }

    @Test
    void putIfAbsentKeepsTheFirstBlock() {
        BlockCache cache = new BlockCache(1 << 20, 1);
        Block first = block(100);
        cache.putIfAbsent(3, 40, first);
        assertThat(cache.putIfAbsent(3, 40, block(100))).isSameAs(first);
        assertThat(cache.entryCount()).isEqualTo(1);
        assertThat(cache.usedBytes()).isEqualTo(first.charge());
    }

    @Test
    void evictFileDropsOnlyThatFile() {
        BlockCache cache = new BlockCache(1 << 20, 8);
        for (int i = 0; i < 50; i++) {
            cache.putIfAbsent(1, i, block(100));
            cache.putIfAbsent(2, i, block(100));
        }
        long before = cache.usedBytes();
        cache.evictFile(1);
        cache.checkInvariants();
        assertThat(cache.entryCount()).isEqualTo(50);
        assertThat(cache.usedBytes()).isEqualTo(before / 2);
        for (int i = 0; i < 50; i++) {
            assertThat(cache.get(1, i)).isNull();
            assertThat(cache.get(2, i)).isNotNull();
        }
    }

    @Test
    void aBlockLargerThanAShardIsNotKept() {
        BlockCache cache = new BlockCache(8 * 1024, 2);
        Block big = block(5000);
        assertThat(cache.putIfAbsent(1, 0, big)).isSameAs(big);
        assertThat(cache.get(1, 0)).isNull();
        assertThat(cache.usedBytes()).isZero();
    }

    @Test
    void zeroCapacityCachesNothing() {
        BlockCache cache = new BlockCache(0);
        cache.putIfAbsent(1, 0, block(10));
        assertThat(cache.entryCount()).isZero();
    }

    @Test
    void aBlockInUseSurvivesAStreamOfColdOnes() {
        BlockCache cache = new BlockCache(32 * 1024, 1);
        Block hot = block(1000);
        cache.putIfAbsent(9, 0, hot);
        for (int i = 1; i < 500; i++) {
            cache.putIfAbsent(1, i, block(1000));
            assertThat(cache.get(9, 0)).as("hot block after %d cold inserts", i).isSameAs(hot);
        }
    }

    @Test
    void defaultShardCountLeavesAtLeastOneMebibytePerShard() {
        assertThat(new BlockCache(128L << 20).shardCount()).isEqualTo(64);
        assertThat(new BlockCache(8L << 20).shardCount()).isEqualTo(8);
        assertThat(new BlockCache(3L << 20).shardCount()).isEqualTo(2);
        assertThat(new BlockCache(64 * 1024).shardCount()).isEqualTo(1);
    }

    @Test
    void concurrentGetsPutsAndEvictionsKeepTheInvariants() throws Exception {
        BlockCache cache = new BlockCache(256 * 1024, 4);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = t;
            futures.add(pool.submit(() -> {
                Random rnd = new Random(seed);
                start.await();
                for (int i = 0; i < 200_000; i++) {
                    long file = rnd.nextInt(8);
                    long off = rnd.nextInt(300);
                    int op = rnd.nextInt(100);
                    if (op < 70) {
                        Block b = cache.get(file, off);
                        if (b != null) {
                            assertThat(b.fileOffset).isEqualTo(file * 1000 + off);
                        }
                    } else if (op < 99) {
                        byte[] data = new byte[500 + rnd.nextInt(1500)];
                        cache.putIfAbsent(file, off, Block.decode(data, 4, "c.sst", file * 1000 + off, BlockKind.DATA));
                    } else {
                        cache.evictFile(file);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        cache.checkInvariants();
        assertThat(cache.usedBytes()).isLessThanOrEqualTo(cache.capacityBytes());
        assertThat(cache.hits()).isPositive();
    }

    /** Many threads reading one table through a cache far smaller than it: answers stay right. */
    @Test
    void concurrentTableReadsThroughASmallCacheAreCorrect() throws Exception {
        List<KV> entries = TestTables.randomEntries(new Random(11), 2000, 3, 200);
        byte[] file = TestTables.build(new TableOptions(1024, 8, 10), entries);
        VersionModel model = new VersionModel(entries);
        BlockCache cache = new BlockCache(16 * 1024, 2);
        TableStats stats = new TableStats();
        List<byte[]> users = new ArrayList<>();
        model.userKeys().forEach(users::add);
        try (TableReader table = TestTables.open(file, cache, stats)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < 20_000; i++) {
                        byte[] user = users.get(rnd.nextInt(users.size()));
                        long snap = rnd.nextBoolean() ? Long.MAX_VALUE : rnd.nextInt(5000);
                        KV want = model.get(user, snap);
                        TableReader.Entry got = table.get(user, snap);
                        if (want == null) {
                            assertThat(got).isNull();
                        } else {
                            assertThat(got).isNotNull();
                            assertThat(got.internalKey()).isEqualTo(want.key());
                            assertThat(got.value()).isEqualTo(want.value());
                            assertThat(got.isDeletion()).isEqualTo(InternalKey.type(want.key()) == InternalKey.TYPE_DELETE);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            cache.checkInvariants();
        }
        assertThat(stats.cacheHits()).isPositive();
        assertThat(stats.blockReads()).isPositive();
        assertThat(cache.usedBytes()).isZero();
    }
}
