package io.stratakv.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The harness against in-memory fake engines: each workload does what it says. */
class EngineBenchTest {

    private static final int KEYS = 2000;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private BenchOptions options(String... extra) throws UsageException {
        List<String> args = new java.util.ArrayList<>(List.of("--keys", String.valueOf(KEYS), "--warmup-keys", "300",
                "--dir", tmp.resolve("db").toString()));
        args.addAll(List.of(extra));
        return BenchOptions.parse(args.toArray(String[]::new));
    }

    private List<WorkloadRow> run(BenchOptions options, List<EngineBench.EngineSpec> engines) throws Exception {
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new EngineBench(options, engines, print, print).run();
    }

    @Test
    void everyWorkloadDoesWhatItSays() throws Exception {
        List<FakeEngine> opened = FakeEngine.newList();
        List<WorkloadRow> rows = run(options(),
                List.of(new EngineBench.EngineSpec(Side.STRATA, "fake", FakeEngine.opener(opened, 0))));

        assertThat(rows).extracting(WorkloadRow::workload).containsExactly(Workload.values());
        Map<String, FakeEngine> byWorkload = opened.stream()
                .collect(Collectors.toMap(FakeEngine::workload, Function.identity()));
        assertThat(byWorkload).containsKey("warmup");
        assertThat(opened).allMatch(e -> e.closed);
        for (WorkloadRow row : rows) {
            EngineResult r = row.result(Side.STRATA).orElseThrow();
            assertThat(r.problems()).as(row.workload().id()).isEmpty();
            assertThat(r.found()).as(row.workload().id()).isEqualTo(r.expectedFound());
            assertThat(r.latencyNanos().getTotalCount()).as(row.workload().id()).isEqualTo(
                    row.workload() == Workload.READSEQ ? KEYS + 1 : r.ops());
            assertThat(row.result(Side.ROCKSDB)).isEmpty();
        }
        Map<Workload, EngineResult> results = rows.stream()
                .collect(Collectors.toMap(WorkloadRow::workload, r -> r.result(Side.STRATA).orElseThrow()));

        FakeEngine fillseq = byWorkload.get("fillseq");
        assertThat(fillseq.puts).hasValue(KEYS);
        assertThat(fillseq.putsInKeyOrder).isTrue();
        assertThat(fillseq.map).hasSize(KEYS);
        assertThat(fillseq.map.firstKey()).isEqualTo(DataSet.key(0));
        assertThat(fillseq.map.lastKey()).isEqualTo(DataSet.key(KEYS - 1));
        assertThat(fillseq.map.values()).allMatch(v -> v.length == DataSet.VALUE_BYTES);

        FakeEngine fillrandom = byWorkload.get("fillrandom");
        assertThat(fillrandom.puts).hasValue(KEYS);
        assertThat(fillrandom.putsInKeyOrder).isFalse();
        assertThat(fillrandom.map).hasSize(KEYS);

        // The preparing fill, then N more puts over the same keys.
        FakeEngine overwrite = byWorkload.get("overwrite");
        assertThat(overwrite.puts).hasValue(2L * KEYS);
        assertThat(overwrite.map).hasSize(KEYS);
        Amplification amp = results.get(Workload.OVERWRITE).amplification().orElseThrow();
        assertThat(amp.userBytes()).isEqualTo(2L * KEYS * 116);
        assertThat(amp.write()).isEqualTo(1.0);
        assertThat(amp.space()).isEqualTo(1.0);
        assertThat(results.get(Workload.FILLSEQ).amplification()).isPresent();
        assertThat(results.get(Workload.READRANDOM).amplification()).isEmpty();

        // Warm-up gets every key once, then R = N measured gets that all find their key.
        FakeEngine readrandom = byWorkload.get("readrandom");
        assertThat(readrandom.gets).hasValue(2L * KEYS);
        assertThat(results.get(Workload.READRANDOM).found()).isEqualTo(KEYS);

        assertThat(results.get(Workload.READSEQ).ops()).isEqualTo(KEYS);
        assertThat(results.get(Workload.READSEQ).found()).isEqualTo(KEYS);

        // One scan per seek, up to 10 entries each.
        FakeEngine seek = byWorkload.get("seekrandom");
        assertThat(seek.scans).hasValue(KEYS);
        EngineResult seekResult = results.get(Workload.SEEKRANDOM);
        // 10 entries per seek, fewer only for seeks among the last 9 keys.
        assertThat(seekResult.found()).isBetween(KEYS * 9L, KEYS * 10L);

        FakeEngine delete = byWorkload.get("deleterandom");
        assertThat(delete.deletes).hasValue(KEYS);
        assertThat(delete.map).isEmpty();

        FakeEngine rww = byWorkload.get("readwhilewriting");
        EngineResult rwwResult = results.get(Workload.READWHILEWRITING);
        assertThat(rwwResult.ops()).isEqualTo(KEYS);
        assertThat(rwwResult.found()).isEqualTo(KEYS);
        assertThat(rww.puts.get()).isGreaterThan(KEYS);
        assertThat(rwwResult.writerOpsPerSec()).isPresent();

        // Every database was deleted after its workload, and the run's own directory at the end.
        assertThat(Files.list(tmp.resolve("db")).toList()).isEmpty();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("strata ops/s").contains("readwhilewriting");
    }

    @Test
    void jsonHasOneObjectPerWorkloadWithTheAgreedFields() throws Exception {
        Path json = tmp.resolve("out/result.json");
        List<FakeEngine> a = FakeEngine.newList();
        List<FakeEngine> b = FakeEngine.newList();
        run(options("--out", json.toString(), "--workloads", "fillrandom,overwrite,readrandom"),
                List.of(new EngineBench.EngineSpec(Side.STRATA, "fake a", FakeEngine.opener(a, 0)),
                        new EngineBench.EngineSpec(Side.ROCKSDB, "fake b", FakeEngine.opener(b, 0))));

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.isArray()).isTrue();
        assertThat(root).hasSize(3);
        assertThat(root.get(0).get("workload").asText()).isEqualTo("fillrandom");
        for (JsonNode row : root) {
            for (String field : List.of("strata_ops_per_s", "rocksdb_ops_per_s", "ratio", "strata_p50_us",
                    "strata_p99_us", "rocksdb_p50_us", "rocksdb_p99_us")) {
                assertThat(row.get(field)).as(field).isNotNull();
                assertThat(row.get(field).isNumber()).as(field).isTrue();
            }
            assertThat(row.get("ratio").asDouble())
                    .isCloseTo(row.get("strata_ops_per_s").asDouble() / row.get("rocksdb_ops_per_s").asDouble(),
                            org.assertj.core.data.Offset.offset(1e-9));
            assertThat(row.get("keys").asInt()).isEqualTo(KEYS);
        }
        JsonNode overwrite = root.get(1);
        assertThat(overwrite.get("strata_space_amp").asDouble()).isEqualTo(1.0);
        assertThat(overwrite.get("rocksdb_write_amp").asDouble()).isEqualTo(1.0);
        assertThat(root.get(2).has("strata_space_amp")).isFalse();
    }

    @Test
    void jsonHasNullsForAnEngineThatDidNotRun() throws Exception {
        Path json = tmp.resolve("one.json");
        run(options("--out", json.toString(), "--workloads", "fillseq", "--engine", "rocksdb"),
                List.of(new EngineBench.EngineSpec(Side.ROCKSDB, "fake", FakeEngine.opener(FakeEngine.newList(), 0))));
        JsonNode row = new ObjectMapper().readTree(json.toFile()).get(0);
        assertThat(row.get("strata_ops_per_s").isNull()).isTrue();
        assertThat(row.get("ratio").isNull()).isTrue();
        assertThat(row.get("rocksdb_ops_per_s").asDouble()).isPositive();
    }

    @Test
    void wrongAnswersAreReported() throws Exception {
        List<WorkloadRow> rows = run(options("--workloads", "fillrandom,readrandom,readseq"),
                List.of(new EngineBench.EngineSpec(Side.STRATA, "lossy", FakeEngine.opener(FakeEngine.newList(), 100))));
        for (WorkloadRow row : rows) {
            assertThat(row.result(Side.STRATA).orElseThrow().problems()).as(row.workload().id()).isNotEmpty();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("WRONG ANSWERS");
    }
}
