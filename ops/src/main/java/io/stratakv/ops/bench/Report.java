package io.stratakv.ops.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The benchmark's results as a text table and as JSON. */
final class Report {

    private Report() {
    }

    static String table(List<WorkloadRow> rows, DataSet data) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-17s %14s %9s %9s %14s %9s %9s %9s%n", "workload",
                "strata ops/s", "p50 us", "p99 us", "rocksdb ops/s", "p50 us", "p99 us", "ratio"));
        for (WorkloadRow row : rows) {
            sb.append(String.format(Locale.ROOT, "%-17s", row.workload().id()));
            for (Side side : Side.values()) {
                Optional<EngineResult> r = row.result(side);
                sb.append(String.format(Locale.ROOT, " %14s %9s %9s",
                        r.map(e -> String.format(Locale.ROOT, "%,.0f", e.opsPerSec())).orElse("-"),
                        r.map(e -> micros(e.p50Micros())).orElse("-"),
                        r.map(e -> micros(e.p99Micros())).orElse("-")));
            }
            sb.append(String.format(Locale.ROOT, " %9s%n",
                    row.ratio().isPresent() ? String.format(Locale.ROOT, "%.2f", row.ratio().getAsDouble()) : "-"));
        }
        sb.append("ratio = StrataKV ops/s / RocksDB ops/s (above 1: StrataKV is faster). Latency is per operation, engine call only.\n");

        List<WorkloadRow> amplified = rows.stream()
                .filter(r -> r.results().values().stream().anyMatch(e -> e.amplification().isPresent()))
                .toList();
        if (!amplified.isEmpty()) {
            sb.append(String.format(Locale.ROOT,
                    "%namplification once flushed and compacted (logical data %,d keys x %d B = %.1f MiB):%n",
                    data.keys(), DataSet.KEY_BYTES + DataSet.VALUE_BYTES, data.logicalBytes() / 1048576.0));
            sb.append(String.format(Locale.ROOT, "%-17s %14s %14s %14s %14s%n", "after",
                    "strata space", "strata write", "rocksdb space", "rocksdb write"));
            for (WorkloadRow row : amplified) {
                sb.append(String.format(Locale.ROOT, "%-17s", row.workload().id()));
                for (Side side : Side.values()) {
                    Optional<Amplification> a = row.result(side).flatMap(EngineResult::amplification);
                    sb.append(String.format(Locale.ROOT, " %14s %14s",
                            a.map(x -> String.format(Locale.ROOT, "%.2f", x.space())).orElse("-"),
                            a.map(x -> String.format(Locale.ROOT, "%.2f", x.write())).orElse("-")));
                }
                sb.append('\n');
            }
            sb.append("space = live SSTable bytes / logical bytes; write = bytes written to log/WAL, flushes and\n"
                    + "compactions / key+value bytes written, over the database's life (its preparing fill included).\n");
        }

        for (WorkloadRow row : rows) {
            List<String> rates = new ArrayList<>();
            for (Side side : Side.values()) {
                row.result(side).flatMap(e -> e.writerOpsPerSec().isPresent()
                                ? Optional.of(e.writerOpsPerSec().getAsDouble()) : Optional.empty())
                        .ifPresent(w -> rates.add(String.format(Locale.ROOT, "%s %,.0f writes/s", side.id(), w)));
            }
            if (!rates.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "%n%s background writer: %s%n", row.workload().id(),
                        String.join(", ", rates)));
            }
        }

        List<String> problems = new ArrayList<>();
        for (WorkloadRow row : rows) {
            for (EngineResult e : row.results().values()) {
                for (String p : e.problems()) {
                    problems.add(e.side().id() + " " + row.workload().id() + ": " + p);
                }
            }
        }
        if (!problems.isEmpty()) {
            sb.append("\nWRONG ANSWERS (the engine's numbers for these workloads do not count):\n");
            problems.forEach(p -> sb.append("  ").append(p).append('\n'));
        }
        return sb.toString();
    }

    /** Microseconds with the precision that matters at their size. */
    static String micros(double us) {
        if (us < 10) {
            return String.format(Locale.ROOT, "%.2f", us);
        }
        if (us < 1000) {
            return String.format(Locale.ROOT, "%.1f", us);
        }
        return String.format(Locale.ROOT, "%,.0f", us);
    }

    /**
     * One JSON object per workload. Always present: workload, keys, and for each engine
     * {engine}_ops_per_s, {engine}_p50_us, {engine}_p99_us (null when the engine did not run), and
     * ratio (null unless both ran). Present when they apply: {engine}_ops, {engine}_seconds,
     * {engine}_space_amp, {engine}_write_amp, {engine}_live_sst_bytes, {engine}_bytes_written,
     * {engine}_user_bytes, {engine}_writer_ops_per_s, {engine}_problems.
     */
    static List<Map<String, Object>> json(List<WorkloadRow> rows, DataSet data) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (WorkloadRow row : rows) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("workload", row.workload().id());
            o.put("keys", data.keys());
            for (Side side : Side.values()) {
                Optional<EngineResult> r = row.result(side);
                o.put(side.id() + "_ops_per_s", r.map(EngineResult::opsPerSec).orElse(null));
            }
            o.put("ratio", row.ratio().isPresent() ? row.ratio().getAsDouble() : null);
            for (Side side : Side.values()) {
                Optional<EngineResult> r = row.result(side);
                o.put(side.id() + "_p50_us", r.map(EngineResult::p50Micros).orElse(null));
                o.put(side.id() + "_p99_us", r.map(EngineResult::p99Micros).orElse(null));
            }
            for (Side side : Side.values()) {
                row.result(side).ifPresent(e -> details(o, side.id() + "_", e));
            }
            list.add(o);
        }
        return list;
    }

    private static void details(Map<String, Object> o, String prefix, EngineResult e) {
        o.put(prefix + "ops", e.ops());
        o.put(prefix + "seconds", e.seconds());
        e.amplification().ifPresent(a -> {
            o.put(prefix + "space_amp", a.space());
            o.put(prefix + "write_amp", a.write());
            o.put(prefix + "live_sst_bytes", a.liveFileBytes());
            o.put(prefix + "bytes_written", a.bytesWrittenToFiles());
            o.put(prefix + "user_bytes", a.userBytes());
        });
        if (e.writerOpsPerSec().isPresent()) {
            o.put(prefix + "writer_ops_per_s", e.writerOpsPerSec().getAsDouble());
        }
        if (!e.problems().isEmpty()) {
            o.put(prefix + "problems", e.problems());
        }
    }

    static void writeJson(Path file, List<WorkloadRow> rows, DataSet data) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json(rows, data));
    }
}
