package io.stratakv.ops.cli;

import io.stratakv.client.ycsb.StrataYcsbClient;
import org.HdrHistogram.Histogram;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.WorkloadException;
import site.ycsb.measurements.Measurements;
import site.ycsb.workloads.CoreWorkload;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.Vector;
import java.util.concurrent.TimeUnit;

/**
 * {@code strata bench cluster}: YCSB's CoreWorkload (workloads A to F with YCSB's standard
 * properties built in) through the YCSB binding against a running cluster, in this JVM: the load
 * phase (inserts {@code --records} records), then the run phase ({@code --operations} operations),
 * each over {@code --threads} threads. Prints per phase and operation the count, errors,
 * throughput and p50/p95/p99/max latency (HdrHistogram, microsecond precision).
 */
public final class ClusterBench {

    public static final String USAGE = """
            usage: strata bench cluster --workload a|b|c|d|e|f [options]
              --records N        records loaded before the run phase (default 1000)
              --operations N     operations of the run phase (default 1000)
              --threads T        client threads (default 4)
              --balancer URL[,URL...]  (env STRATA_BALANCER, default http://127.0.0.1:8080)
              --keyspace KS      (default: default)
              --write-consistency ONE|QUORUM|ALL, --read-consistency STRONG|SESSION|EVENTUAL (default: the keyspace's)
              --timeout-ms N     each operation's deadline (default 5000)
              --phases load,run  which phases to run (default both; run alone reuses loaded records)
              --property NAME=VALUE   any YCSB CoreWorkload property (fieldcount, fieldlength, ...); repeatable as a
                                 comma-separated list
            workloads (YCSB's): a 50% read 50% update, b 95/5 read/update, c 100% read, d 95% read 5% insert (latest),
            e 95% scan 5% insert, f 50% read 50% read-modify-write; zipfian requests except d
            """;

    /** YCSB's workloads/workload[a-f] files, as properties. */
    static final Map<String, Map<String, String>> WORKLOADS = Map.of(
            "a", Map.of("readproportion", "0.5", "updateproportion", "0.5", "scanproportion", "0",
                    "insertproportion", "0", "requestdistribution", "zipfian"),
            "b", Map.of("readproportion", "0.95", "updateproportion", "0.05", "scanproportion", "0",
                    "insertproportion", "0", "requestdistribution", "zipfian"),
            "c", Map.of("readproportion", "1", "updateproportion", "0", "scanproportion", "0",
                    "insertproportion", "0", "requestdistribution", "zipfian"),
            "d", Map.of("readproportion", "0.95", "updateproportion", "0", "scanproportion", "0",
                    "insertproportion", "0.05", "requestdistribution", "latest"),
            "e", Map.of("readproportion", "0", "updateproportion", "0", "scanproportion", "0.95",
                    "insertproportion", "0.05", "requestdistribution", "zipfian", "maxscanlength", "100",
                    "scanlengthdistribution", "uniform"),
            "f", Map.of("readproportion", "0.5", "updateproportion", "0", "scanproportion", "0",
                    "insertproportion", "0", "readmodifywriteproportion", "0.5", "requestdistribution", "zipfian"));

    private static final Set<String> OPTIONS = Set.of("workload", "records", "operations", "threads", "balancer",
            "keyspace", "write-consistency", "read-consistency", "timeout-ms", "phases", "property");
    /** Latencies above this are clamped into the top bucket (an operation's deadline is far below). */
    private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

    private ClusterBench() {
    }

    public static int main(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        try {
            return run(args, out, env);
        } catch (CliException.Usage e) {
            err.println("strata bench cluster: " + e.getMessage());
            err.print(USAGE);
            return e.exitCode();
        } catch (CliException e) {
            err.println("strata bench cluster: " + e.getMessage());
            return e.exitCode();
        }
    }

    private static int run(String[] args, PrintStream out, Map<String, String> env) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(USAGE);
            return ExitCodes.OK;
        }
        CliArgs a = CliArgs.parse(args, OPTIONS);
        a.expectWords(0);
        String w = a.option("workload").orElseThrow(() -> new CliException.Usage("--workload a..f is required"))
                .toLowerCase(Locale.ROOT);
        if (!WORKLOADS.containsKey(w)) {
            throw new CliException.Usage("--workload must be one of a, b, c, d, e, f");
        }
        long records = a.longOption("records", 1000, 1);
        long operations = a.longOption("operations", 1000, 0);
        int threads = a.intOption("threads", 4, 1);
        String phases = a.option("phases").orElse("load,run");
        boolean load = phases.contains("load");
        boolean runPhase = phases.contains("run");
        if (!load && !runPhase) {
            throw new CliException.Usage("--phases must name load, run or both");
        }
        Properties p = new Properties();
        WORKLOADS.get(w).forEach(p::setProperty);
        p.setProperty("workload", CoreWorkload.class.getName());
        p.setProperty("recordcount", Long.toString(records));
        p.setProperty("operationcount", Long.toString(operations));
        p.setProperty("threadcount", Integer.toString(threads));
        p.setProperty(StrataYcsbClient.BALANCERS,
                String.join(",", ClientCommands.endpoints(a.option("balancer"), env.get(ClientCommands.BALANCER_ENV),
                        ClientCommands.DEFAULT_BALANCER)));
        a.option("keyspace").ifPresent(v -> p.setProperty(StrataYcsbClient.KEYSPACE, v));
        a.option("write-consistency").ifPresent(v -> p.setProperty(StrataYcsbClient.WRITE_CONSISTENCY, v));
        a.option("read-consistency").ifPresent(v -> p.setProperty(StrataYcsbClient.READ_CONSISTENCY, v));
        a.option("timeout-ms").ifPresent(v -> p.setProperty(StrataYcsbClient.TIMEOUT_MS, v));
        a.option("property").ifPresent(list -> {
            for (String kv : list.split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new CliException.Usage("--property wants NAME=VALUE, got '" + kv + "'");
                }
                p.setProperty(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
            }
        });

        Measurements.setProperties(p);
        CoreWorkload workload = new CoreWorkload();
        try {
            workload.init(p);
        } catch (WorkloadException e) {
            throw new CliException.Usage("bad workload properties: " + e.getMessage());
        }
        out.printf("strata bench cluster: workload %s, %d records, %d operations, %d threads, balancer %s%n",
                w, records, operations, threads, p.getProperty(StrataYcsbClient.BALANCERS));
        out.printf("%-5s  %-17s  %9s  %7s  %11s  %9s  %9s  %9s  %9s%n",
                "phase", "operation", "count", "errors", "ops/s", "p50 ms", "p95 ms", "p99 ms", "max ms");
        long errors = 0;
        if (load) {
            errors += phase("load", workload, p, threads, records, true, out);
        }
        if (runPhase && operations > 0) {
            errors += phase("run", workload, p, threads, operations, false, out);
        }
        return errors == 0 ? ExitCodes.OK : ExitCodes.ERROR;
    }

    /** Runs one phase over the threads; prints its rows; returns its error count. */
    private static long phase(String name, CoreWorkload workload, Properties p, int threads, long total, boolean insert,
                              PrintStream out) {
        List<TimedDb> dbs = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            long share = total / threads + (t < total % threads ? 1 : 0);
            TimedDb db = new TimedDb(p);
            dbs.add(db);
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    db.init();
                    Object state = workload.initThread(p, id, threads);
                    for (long i = 0; i < share; i++) {
                        if (insert) {
                            workload.doInsert(db, state);
                        } else {
                            workload.doTransaction(db, state);
                        }
                    }
                } catch (DBException | WorkloadException | RuntimeException e) {
                    failures.add(e);
                } finally {
                    db.cleanup();
                }
            }, "bench-" + name + "-" + t);
            workers.add(th);
            th.start();
        }
        for (Thread th : workers) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.ERROR, "interrupted");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw new CliException(ExitCodes.ERROR, name + " phase failed: " + failures.get(0));
        }
        Map<String, Histogram> merged = new TreeMap<>();
        Map<String, Long> errs = new HashMap<>();
        for (TimedDb db : dbs) {
            db.latency.forEach((op, h) -> merged.computeIfAbsent(op, k -> new Histogram(MAX_LATENCY_MICROS, 3)).add(h));
            db.errors.forEach((op, n) -> errs.merge(op, n, Long::sum));
        }
        Histogram all = new Histogram(MAX_LATENCY_MICROS, 3);
        long errorCount = 0;
        for (Map.Entry<String, Histogram> e : merged.entrySet()) {
            long n = errs.getOrDefault(e.getKey(), 0L);
            errorCount += n;
            all.add(e.getValue());
            row(out, name, e.getKey(), e.getValue(), n, seconds);
        }
        row(out, name, "TOTAL", all, errorCount, seconds);
        return errorCount;
    }

    private static void row(PrintStream out, String phase, String op, Histogram h, long errors, double seconds) {
        out.printf(Locale.ROOT, "%-5s  %-17s  %9d  %7d  %11.1f  %9.2f  %9.2f  %9.2f  %9.2f%n", phase, op,
                h.getTotalCount(), errors, h.getTotalCount() / seconds, h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(95) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    /** The binding, timed per operation (one per thread: histograms are merged at the end). */
    private static final class TimedDb extends DB {
        private final StrataYcsbClient inner = new StrataYcsbClient();
        final Map<String, Histogram> latency = new HashMap<>();
        final Map<String, Long> errors = new HashMap<>();

        TimedDb(Properties p) {
            inner.setProperties(p);
            setProperties(p);
        }

        @Override
        public void init() throws DBException {
            inner.init();
        }

        @Override
        public void cleanup() {
            inner.cleanup();
        }

        private Status timed(String op, long startNanos, Status s) {
            long micros = Math.min(MAX_LATENCY_MICROS, Math.max(1, (System.nanoTime() - startNanos) / 1000));
            latency.computeIfAbsent(op, k -> new Histogram(MAX_LATENCY_MICROS, 3)).recordValue(micros);
            if (!s.isOk()) {
                errors.merge(op, 1L, Long::sum);
            }
            return s;
        }

        @Override
        public Status read(String t, String k, Set<String> f, Map<String, ByteIterator> r) {
            long s = System.nanoTime();
            return timed("READ", s, inner.read(t, k, f, r));
        }

        @Override
        public Status scan(String t, String k, int n, Set<String> f, Vector<HashMap<String, ByteIterator>> r) {
            long s = System.nanoTime();
            return timed("SCAN", s, inner.scan(t, k, n, f, r));
        }

        @Override
        public Status update(String t, String k, Map<String, ByteIterator> v) {
            long s = System.nanoTime();
            return timed("UPDATE", s, inner.update(t, k, v));
        }

        @Override
        public Status insert(String t, String k, Map<String, ByteIterator> v) {
            long s = System.nanoTime();
            return timed("INSERT", s, inner.insert(t, k, v));
        }

        @Override
        public Status delete(String t, String k) {
            long s = System.nanoTime();
            return timed("DELETE", s, inner.delete(t, k));
        }
    }
}
