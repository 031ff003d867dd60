package io.stratakv.ops.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code strata bench engine}: StrataKV's storage engine against RocksDB, in one JVM.
 *
 * <p>Order of a run: each engine gets an untimed JIT warm-up on a small database of its own;
 * then the workloads run one at a time, each engine on a fresh database that is deleted right
 * after, alternating which engine goes first from one workload to the next so that neither
 * always inherits the other's page cache and heap state. Only one database is open at a time.
 */
public final class EngineBench {

    /** Exit code when an engine gave wrong answers: the run finished, but its numbers do not count. */
    public static final int EXIT_WRONG_ANSWERS = 3;

    /** Opens an engine on an empty directory. */
    @FunctionalInterface
    public interface EngineOpener {
        BenchEngine open(Path dir);
    }

    /** An engine to run, in the slot of side. */
    public record EngineSpec(Side side, String description, EngineOpener opener) {
    }

    private final BenchOptions options;
    private final List<EngineSpec> engines;
    private final PrintStream out;
    private final PrintStream progress;
    private final DataSet data;

    public EngineBench(BenchOptions options, List<EngineSpec> engines, PrintStream out, PrintStream progress) {
        this.options = options;
        this.engines = List.copyOf(engines);
        this.out = out;
        this.progress = progress;
        this.data = new DataSet(options.keys(), options.seed());
    }

    /** The real engines the options ask for. */
    public static List<EngineSpec> realEngines(BenchOptions options) {
        long cacheBytes = (long) options.cacheMb() << 20;
        List<EngineSpec> list = new ArrayList<>();
        for (Side side : options.engines()) {
            list.add(switch (side) {
                case STRATA -> new EngineSpec(side, StrataEngine.describe(cacheBytes),
                        dir -> StrataEngine.open(dir, cacheBytes));
                case ROCKSDB -> new EngineSpec(side, RocksEngine.describe(cacheBytes),
                        dir -> RocksEngine.open(dir, cacheBytes));
            });
        }
        return list;
    }

    /** The command: parses args, runs, prints; returns the process exit code. */
    public static int main(String[] args, PrintStream out, PrintStream err) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                out.print(BenchOptions.usage());
                return 0;
            }
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (UsageException e) {
            err.println("strata bench engine: " + e.getMessage());
            err.print(BenchOptions.usage());
            return 2;
        }
        try {
            List<WorkloadRow> rows = new EngineBench(options, realEngines(options), out, err).run();
            return rows.stream().anyMatch(r -> r.results().values().stream().anyMatch(e -> !e.problems().isEmpty()))
                    ? EXIT_WRONG_ANSWERS : 0;
        } catch (IOException e) {
            err.println("strata bench engine: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("strata bench engine: interrupted");
            return 1;
        }
    }

    /** Runs every workload on every available engine, prints the table, writes the JSON. */
    public List<WorkloadRow> run() throws IOException, InterruptedException {
        printHeader();
        Path base = options.dir().isPresent()
                ? Files.createTempDirectory(Files.createDirectories(options.dir().get()), "strata-bench-")
                : Files.createTempDirectory("strata-bench-");
        out.println("databases under: " + base);
        out.println();
        out.flush();
        try {
            List<EngineSpec> available = warmUp(base);
            List<WorkloadRow> rows = new ArrayList<>();
            for (int i = 0; i < options.workloads().size(); i++) {
                Workload workload = options.workloads().get(i);
                List<EngineSpec> order = new ArrayList<>(available);
                if (i % 2 == 1) {
                    order = order.reversed();
                }
                Map<Side, EngineResult> results = new EnumMap<>(Side.class);
                for (EngineSpec spec : order) {
                    results.put(spec.side(), runOne(workload, spec, base));
                }
                rows.add(new WorkloadRow(workload, results));
            }
            out.print(Report.table(rows, data));
            out.flush();
            if (options.out().isPresent()) {
                Report.writeJson(options.out().get(), rows, data);
                out.println("\nJSON written to " + options.out().get());
            }
            return rows;
        } finally {
            deleteRecursively(base);
        }
    }

    /** Opens each engine once and, unless --warmup-keys is 0, warms it up. */
    private List<EngineSpec> warmUp(Path base) throws IOException {
        List<EngineSpec> available = new ArrayList<>();
        WorkloadRunner warmRunner = new WorkloadRunner(options, new DataSet(Math.max(1, options.warmupKeys()), options.seed()));
        for (EngineSpec spec : engines) {
            Path dir = base.resolve(spec.side().id() + "-warmup");
            Files.createDirectories(dir);
            long t0 = System.nanoTime();
            BenchEngine engine = spec.opener().open(dir);
            try (engine) {
                if (options.warmupKeys() > 0) {
                    warmRunner.warmUp(engine);
                }
            }
            deleteRecursively(dir);
            progress.printf(Locale.ROOT, "warm-up %-8s %6.1f s%n", spec.side().id(), (System.nanoTime() - t0) / 1e9);
            available.add(spec);
        }
        return available;
    }

    private EngineResult runOne(Workload workload, EngineSpec spec, Path base) throws IOException, InterruptedException {
        Path dir = base.resolve(spec.side().id() + "-" + workload.id());
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        EngineResult result;
        try (BenchEngine engine = spec.opener().open(dir)) {
            result = new WorkloadRunner(options, data).run(workload, spec.side(), engine);
        }
        deleteRecursively(dir);
        // Leave the next engine a collected heap rather than this one's garbage.
        System.gc();
        progress.printf(Locale.ROOT, "%-17s %-8s %,14.0f ops/s  %7.1f s timed, %7.1f s in all%s%n", workload.id(),
                spec.side().id(), result.opsPerSec(), result.seconds(), (System.nanoTime() - t0) / 1e9,
                result.problems().isEmpty() ? "" : "  WRONG ANSWERS: " + String.join("; ", result.problems()));
        return result;
    }

    private void printHeader() {
        var runtime = ManagementFactory.getRuntimeMXBean();
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
        out.println("strata bench engine");
        out.printf(Locale.ROOT, "JVM: %s %s (%s), %d CPUs, max heap %,d MiB, GC: %s%n",
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, gcs);
        out.println("JVM flags: " + String.join(" ", runtime.getInputArguments()));
        out.printf(Locale.ROOT, "data: %,d keys, %d-byte keys, %d-byte values (%.1f MiB logical); reads %,d; "
                        + "seek nexts %d; seed %d; JIT warm-up %,d keys%n",
                options.keys(), DataSet.KEY_BYTES, DataSet.VALUE_BYTES, data.logicalBytes() / 1048576.0,
                options.reads(), options.seekNexts(), options.seed(), options.warmupKeys());
        out.println("workloads: " + options.workloads().stream().map(Workload::id).collect(Collectors.joining(",")));
        for (EngineSpec spec : engines) {
            out.printf(Locale.ROOT, "%-8s %s%n", spec.side().id() + ":", spec.description());
        }
        out.flush();
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw new UncheckedIOException(e);
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
