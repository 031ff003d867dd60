package io.stratakv.ops.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A tiny run of every workload against both real engines: both answer right and both sides are reported. */
class EngineBenchBothEnginesTest {

    @TempDir
    Path tmp;

    @Test
    void tinyRunOfEveryWorkload() throws Exception {
        Path json = tmp.resolve("both.json");
        BenchOptions options = BenchOptions.parse("--keys", "2000", "--warmup-keys", "500", "--engine", "both",
                "--cache-mb", "8", "--dir", tmp.resolve("db").toString(), "--out", json.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        List<WorkloadRow> rows = new EngineBench(options, EngineBench.realEngines(options), print, print).run();

        assertThat(rows).hasSize(Workload.values().length);
        for (WorkloadRow row : rows) {
            for (Side side : Side.values()) {
                check(row, row.result(side).orElseThrow());
            }
        }
        String written = Files.readString(json);
        assertThat(written).contains("\"rocksdb_ops_per_s\"", "\"strata_ops_per_s\"", "\"ratio\"");
        assertThat(written).doesNotContain("\"ratio\": null", "\"ratio\":null");
        assertThat(Files.list(tmp.resolve("db")).toList()).isEmpty();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("StrataKV engine", "RocksDB 10.10.1");
    }

    private static void check(WorkloadRow row, EngineResult r) {
        assertThat(r.problems()).as(row.workload().id()).isEmpty();
        assertThat(r.ops()).as(row.workload().id()).isPositive();
        assertThat(r.opsPerSec()).as(row.workload().id()).isPositive();
        if (row.workload().measuresAmplification()) {
            Amplification a = r.amplification().orElseThrow();
            assertThat(a.liveFileBytes()).as(row.workload().id()).isPositive();
            // The WAL alone writes every user byte once, and the flush writes the SSTables.
            assertThat(a.write()).as(row.workload().id()).isGreaterThan(1.0);
            assertThat(a.space()).as(row.workload().id()).isBetween(0.5, 5.0);
        }
    }
}
