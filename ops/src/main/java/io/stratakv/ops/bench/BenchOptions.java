package io.stratakv.ops.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The options of {@code strata bench engine}.
 *
 * @param keys       N: the number of distinct keys
 * @param reads      R: operations of readrandom, seekrandom and readwhilewriting
 * @param seekNexts  entries read after each seek of seekrandom
 * @param cacheMb    block cache size of both engines, MiB
 * @param dir        parent of the benchmark's databases; empty: the system temp dir
 * @param out        JSON result file
 * @param workloads  in the order they run
 * @param engines    the engines to run
 * @param seed       seeds every random choice, so both engines see the same operations
 * @param warmupKeys keys of the untimed per-engine warm-up that gets the JIT compilers going
 */
public record BenchOptions(int keys, int reads, int seekNexts, int cacheMb, Optional<Path> dir,
                           Optional<Path> out, List<Workload> workloads, List<Side> engines, long seed,
                           int warmupKeys) {

    public static final int DEFAULT_KEYS = 1_000_000;
    public static final int DEFAULT_CACHE_MB = 128;
    public static final int DEFAULT_SEEK_NEXTS = 10;
    public static final long DEFAULT_SEED = 301;
    /** Enough operations for C2 to compile the hot paths of both engines and of the harness. */
    public static final int DEFAULT_WARMUP_KEYS = 100_000;
    /** Key indexes are ints, and the 16-digit keys could go further; a billion is plenty for one machine. */
    private static final int MAX_KEYS = 1_000_000_000;

    public BenchOptions {
        workloads = List.copyOf(workloads);
        engines = List.copyOf(engines);
    }

    public static String usage() {
        String workloadLines = Arrays.stream(Workload.values())
                .map(w -> String.format(Locale.ROOT, "  %-17s %s", w.id(), w.description()))
                .collect(Collectors.joining("\n"));
        return """
                usage: strata bench engine [options]

                Runs db_bench-style workloads against StrataKV's storage engine and RocksDB in one JVM,
                one workload at a time, alternating engines, each on its own database.
                Keys are 16 bytes, values 100 bytes.

                options:
                  --keys N             distinct keys (default 1000000)
                  --reads N            operations of readrandom, seekrandom, readwhilewriting (default: --keys)
                  --workloads a,b,...  workloads to run, in this order (default: all, in the order below)
                  --engine E           strata, rocksdb or both (default both)
                  --cache-mb N         block cache of each engine in MiB (default 128)
                  --seek-nexts N       entries read per seek in seekrandom (default 10)
                  --dir DIR            create the databases under DIR (default: a fresh temp dir);
                                       each is deleted after its workload
                  --out FILE           also write the results as JSON to FILE
                  --seed N             seed of every random choice (default 301)
                  --warmup-keys N      keys of the untimed JIT warm-up per engine (default min(100000, --keys); 0: none)
                  -h, --help           this text

                workloads (N = --keys, R = --reads):
                """ + workloadLines + "\n";
    }

    /** Parses the arguments after {@code bench engine}. */
    public static BenchOptions parse(String... args) throws UsageException {
        Integer keys = null;
        Integer reads = null;
        Integer warmup = null;
        int seekNexts = DEFAULT_SEEK_NEXTS;
        int cacheMb = DEFAULT_CACHE_MB;
        Optional<Path> dir = Optional.empty();
        Optional<Path> out = Optional.empty();
        List<Workload> workloads = List.of(Workload.values());
        List<Side> engines = List.of(Side.values());
        long seed = DEFAULT_SEED;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            if (!isKnown(arg)) {
                throw new UsageException("unknown option '" + args[i] + "'");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(arg + " needs a value");
                }
                value = args[++i];
            }
            switch (arg) {
                case "--keys" -> keys = intArg(arg, value, 1, MAX_KEYS);
                case "--reads" -> reads = intArg(arg, value, 1, Integer.MAX_VALUE);
                case "--warmup-keys" -> warmup = intArg(arg, value, 0, MAX_KEYS);
                case "--seek-nexts" -> seekNexts = intArg(arg, value, 1, 1_000_000);
                case "--cache-mb" -> cacheMb = intArg(arg, value, 1, 1 << 20);
                case "--dir" -> dir = Optional.of(Path.of(nonEmpty(arg, value)));
                case "--out" -> out = Optional.of(Path.of(nonEmpty(arg, value)));
                case "--workloads" -> workloads = workloadsArg(value);
                case "--engine" -> engines = enginesArg(value);
                case "--seed" -> seed = longArg(arg, value);
                default -> throw new IllegalStateException(arg);
            }
        }
        int n = keys == null ? DEFAULT_KEYS : keys;
        return new BenchOptions(n, reads == null ? n : reads, seekNexts, cacheMb, dir, out, workloads, engines,
                seed, warmup == null ? Math.min(n, DEFAULT_WARMUP_KEYS) : warmup);
    }

    private static boolean isKnown(String flag) {
        return switch (flag) {
            case "--keys", "--reads", "--warmup-keys", "--seek-nexts", "--cache-mb", "--dir", "--out",
                 "--workloads", "--engine", "--seed" -> true;
            default -> false;
        };
    }

    private static String nonEmpty(String flag, String value) throws UsageException {
        if (value.isBlank()) {
            throw new UsageException(flag + " needs a value");
        }
        return value;
    }

    private static int intArg(String flag, String value, int min, int max) throws UsageException {
        long v = longArg(flag, value);
        if (v < min || v > max) {
            throw new UsageException(flag + " must be between " + min + " and " + max + ", not " + value);
        }
        return (int) v;
    }

    private static long longArg(String flag, String value) throws UsageException {
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " wants a whole number, not '" + value + "'");
        }
    }

    private static List<Workload> workloadsArg(String value) throws UsageException {
        List<Workload> list = new ArrayList<>();
        for (String name : value.split(",", -1)) {
            String id = name.trim().toLowerCase(Locale.ROOT);
            if (id.equals("all")) {
                for (Workload w : Workload.values()) {
                    if (!list.contains(w)) {
                        list.add(w);
                    }
                }
                continue;
            }
            Workload w = Workload.byId(id).orElseThrow(() -> new UsageException("unknown workload '" + name
                    + "'; known: " + Arrays.stream(Workload.values()).map(Workload::id).collect(Collectors.joining(","))));
            if (list.contains(w)) {
                throw new UsageException("workload '" + id + "' named twice");
            }
            list.add(w);
        }
        return list;
    }

    private static List<Side> enginesArg(String value) throws UsageException {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "strata" -> List.of(Side.STRATA);
            case "rocksdb" -> List.of(Side.ROCKSDB);
            case "both" -> List.of(Side.STRATA, Side.ROCKSDB);
            default -> throw new UsageException("--engine must be strata, rocksdb or both, not '" + value + "'");
        };
    }
}
