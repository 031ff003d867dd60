package io.stratakv.storage.lsm;

import com.codahale.metrics.MetricRegistry;
import io.stratakv.storage.CorruptionException;
import io.stratakv.storage.StoreOptions;
import io.stratakv.storage.TestStores;
import io.stratakv.storage.fs.RealFs;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.stratakv.storage.TestStores.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class EngineMetricsAndCorruptionTest {

    @Test
    void flushCompactionStallAndLevelMetricsAreRecorded(@TempDir Path dir) {
        MetricRegistry metrics = new MetricRegistry();
        StoreOptions opts = TestStores.tiny(FsyncPolicy.NEVER);
        try (LsmTree tree = LsmTree.open(RealFs.INSTANCE, dir, opts, metrics, "p7")) {
            for (int i = 0; i < 3000; i++) {
                tree.put(b("key" + (i % 500)), b("value" + i), i);
            }
            tree.flush();
            tree.awaitCompactions();
            for (int i = 0; i < 500; i++) {
                tree.get(b("key" + i + "-absent")); // inside the tables' key ranges, so the bloom filters are asked
            }
            assertThat(metrics.timer("p7.lsm.flush").getCount()).isPositive();
            assertThat(metrics.timer("p7.lsm.compaction").getCount()).isPositive();
            assertThat(metrics.counter("p7.lsm.flush.bytes").getCount()).isPositive();
            assertThat(metrics.getTimers()).containsKey("p7.lsm.stall");
            long levelBytes = 0;
            for (int l = 0; l < LsmTree.levels(); l++) {
                levelBytes += (Long) metrics.getGauges().get("p7.lsm.level." + l + ".bytes").getValue();
            }
            assertThat(levelBytes).isEqualTo(tree.liveTableBytes()).isPositive();
            assertThat((Long) metrics.getGauges().get("p7.lsm.bloom.checks").getValue()).isPositive();
            assertThat((Long) metrics.getGauges().get("p7.lsm.bloom.useful").getValue()).isPositive();
            assertThat(metrics.getGauges()).containsKey("p7.lsm.memtable.bytes");
        }
        assertThat(metrics.getMetrics().keySet()).noneMatch(n -> n.startsWith("p7.lsm."));
    }

    @Test
    void aCorruptedTableBlockIsReportedWithFileAndBlock(@TempDir Path dir) throws Exception {
        StoreOptions opts = TestStores.tiny(FsyncPolicy.NEVER).withBlockCacheBytes(0);
        try (LsmTree tree = LsmTree.open(RealFs.INSTANCE, dir, opts)) {
            for (int i = 0; i < 200; i++) {
                tree.put(b(String.format("key%04d", i)), b("value" + i), i);
            }
            tree.flush();
        }
        Path sst;
        try (Stream<Path> files = Files.list(dir)) {
            sst = files.filter(p -> p.toString().endsWith(".sst")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(sst.toFile(), "rw")) {
            f.seek(20); // inside the first data block
            int x = f.read();
            f.seek(20);
            f.write(x ^ 0x55);
        }
        try (LsmTree tree = LsmTree.open(RealFs.INSTANCE, dir, opts)) {
            CorruptionException e = catchThrowableOfType(CorruptionException.class, () -> {
                for (int i = 0; i < 200; i++) {
                    tree.get(b(String.format("key%04d", i)));
                }
            });
            assertThat(e).as("a read of the damaged block fails").isNotNull();
            assertThat(e.file()).contains(sst.getFileName().toString());
            assertThat(e.position()).isZero();
        }
    }
}
