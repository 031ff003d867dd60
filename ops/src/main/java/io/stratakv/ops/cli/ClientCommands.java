package io.stratakv.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stratakv.client.CallOptions;
import io.stratakv.client.KeyValue;
import io.stratakv.client.Scan;
import io.stratakv.client.StrataClient;
import io.stratakv.client.StrataException;
import io.stratakv.client.Versioned;
import io.stratakv.client.WriteResult;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The client commands of {@code strata}: {@code kv}, {@code cluster}, {@code keyspace},
 * {@code partition}. Each returns its exit code ({@link ExitCodes}); errors print
 * {@code strata: CODE: message} on stderr.
 */
public final class ClientCommands {

    public static final String DEFAULT_BALANCER = "http://127.0.0.1:8080";
    public static final String DEFAULT_CONTROLLER = "http://127.0.0.1:7070";
    static final String BALANCER_ENV = "STRATA_BALANCER";
    static final String CONTROLLER_ENV = "STRATA_CONTROLLER";

    public static final String USAGE = """
            usage:
              strata kv put KEY (VALUE | --file F) [--if-version N]   (--file - reads stdin; --if-version 0: create only)
              strata kv get KEY
              strata kv del KEY [--if-version N]
              strata kv scan [--prefix P | --start A [--end B]] [--limit N]
                kv options: --keyspace KS (default: default), --consistency LEVEL (writes ONE|QUORUM|ALL,
                reads STRONG|SESSION|EVENTUAL; default: the keyspace's), --timeout-ms N,
                --balancer URL[,URL...] (env STRATA_BALANCER, default http://127.0.0.1:8080)
              strata cluster status [--balancer URL] [--controller URL]
              strata keyspace create NAME --partitions N --replication R [--write-consistency L] [--read-consistency L]
              strata keyspace list | describe NAME | delete NAME
              strata partition split KS PID
              strata partition transfer-leader KS PID --to NODE
                admin options: --controller URL[,URL...] (env STRATA_CONTROLLER, default http://127.0.0.1:7070)
            exit codes: 0 ok, 1 not found or failed precondition, 2 usage, 3 unavailable or other error
            """;

    private ClientCommands() {
    }

    /** Whether {@code command} is one of these commands. */
    public static boolean handles(String command) {
        return Set.of("kv", "cluster", "keyspace", "partition").contains(command);
    }

    /** Runs {@code strata <command> args...}; returns the exit code. */
    public static int run(String command, String[] args, PrintStream out, PrintStream err, Map<String, String> env,
                          InputStream stdin) {
        try {
            return switch (command) {
                case "kv" -> kv(args, out, env, stdin);
                case "cluster" -> cluster(args, out, err, env);
                case "keyspace" -> keyspace(args, out, env);
                case "partition" -> partition(args, out, env);
                default -> throw new CliException.Usage("unknown command '" + command + "'");
            };
        } catch (CliException.Usage e) {
            err.println("strata " + command + ": " + e.getMessage());
            err.print(USAGE);
            return e.exitCode();
        } catch (CliException e) {
            err.println("strata: " + e.getMessage());
            return e.exitCode();
        } catch (StrataException e) {
            err.println("strata: " + e.codeName() + ": " + e.detailMessage()
                    + (e.outcomeUnknown() ? " (the write may or may not have applied)" : ""));
            return ExitCodes.of(e);
        }
    }

    // ---------------------------------------------------------------- kv

    private static final Set<String> KV_OPTIONS = Set.of("keyspace", "consistency", "balancer", "timeout-ms", "file",
            "if-version", "prefix", "start", "end", "limit");

    private static int kv(String[] args, PrintStream out, Map<String, String> env, InputStream stdin) {
        CliArgs a = CliArgs.parse(args, KV_OPTIONS);
        String op = a.word(0, "kv operation (put, get, del, scan)");
        StrataClient.Builder b = StrataClient.builder();
        try {
            b.balancers(List.of(endpoints(a.option("balancer"), env.get(BALANCER_ENV), DEFAULT_BALANCER)));
            a.option("keyspace").ifPresent(b::keyspace);
            if (a.has("timeout-ms")) {
                b.timeout(java.time.Duration.ofMillis(a.longOption("timeout-ms", 5000, 1)));
            }
        } catch (IllegalArgumentException e) {
            throw new CliException.Usage(e.getMessage());
        }
        try (StrataClient client = b.build()) {
            return switch (op) {
                case "put" -> kvPut(a, client, out, stdin);
                case "get" -> kvGet(a, client, out);
                case "del", "delete" -> kvDel(a, client, out);
                case "scan" -> kvScan(a, client, out);
                default -> throw new CliException.Usage("unknown kv operation '" + op + "'");
            };
        }
    }

    private static int kvPut(CliArgs a, StrataClient client, PrintStream out, InputStream stdin) {
        byte[] key = utf8(a.word(1, "KEY"));
        byte[] value;
        if (a.has("file")) {
            a.expectWords(2);
            String f = a.option("file").orElseThrow();
            try {
                value = f.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(f));
            } catch (IOException e) {
                throw new CliException(ExitCodes.USAGE, "cannot read --file " + f + ": " + e.getMessage());
            }
        } else {
            value = utf8(a.word(2, "VALUE (or --file F)"));
            a.expectWords(3);
        }
        CallOptions o = writeOptions(a);
        WriteResult w = a.has("if-version")
                ? client.compareAndSet(key, value, a.longOption("if-version", 0, 0), o)
                : client.put(key, value, o);
        out.println(describe(w));
        return ExitCodes.OK;
    }

    private static int kvGet(CliArgs a, StrataClient client, PrintStream out) {
        String key = a.word(1, "KEY");
        a.expectWords(2);
        Optional<Versioned> v = client.get(utf8(key), readOptions(a));
        if (v.isEmpty()) {
            throw new CliException(ExitCodes.NOT_FOUND_OR_PRECONDITION, "KEY_NOT_FOUND: key '" + key + "' has no value");
        }
        out.write(v.get().value(), 0, v.get().value().length);
        out.println();
        return ExitCodes.OK;
    }

    private static int kvDel(CliArgs a, StrataClient client, PrintStream out) {
        byte[] key = utf8(a.word(1, "KEY"));
        a.expectWords(2);
        CallOptions o = writeOptions(a);
        WriteResult w = a.has("if-version")
                ? client.compareAndDelete(key, a.longOption("if-version", 0, 1), o)
                : client.delete(key, o);
        out.println(describe(w));
        return ExitCodes.OK;
    }

    private static int kvScan(CliArgs a, StrataClient client, PrintStream out) {
        a.expectWords(1);
        Scan scan;
        if (a.has("prefix")) {
            if (a.has("start") || a.has("end")) {
                throw new CliException.Usage("give --prefix or --start/--end, not both");
            }
            scan = Scan.prefix(a.option("prefix").orElseThrow());
        } else if (a.has("start")) {
            byte[] start = utf8(a.option("start").orElseThrow());
            scan = a.has("end") ? Scan.range(start, utf8(a.option("end").orElseThrow())) : Scan.from(start);
        } else if (a.has("end")) {
            throw new CliException.Usage("--end needs --start");
        } else {
            scan = Scan.prefix(new byte[0]);
        }
        if (a.has("limit")) {
            scan = scan.limit(a.longOption("limit", 0, 1));
        }
        Iterator<KeyValue> it = client.scanIterator(scan, readOptions(a));
        while (it.hasNext()) {
            KeyValue kv = it.next();
            out.println(kv.keyAsString() + "\t" + kv.valueAsString());
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static String describe(WriteResult w) {
        StringBuilder sb = new StringBuilder("OK");
        w.version().ifPresent(v -> sb.append(" version=").append(v));
        if (w.partition() >= 0) {
            sb.append(" partition=").append(w.partition());
        }
        w.position().ifPresent(p -> sb.append(" position=").append(p));
        if (w.duplicate()) {
            sb.append(" duplicate=true");
        }
        return sb.toString();
    }

    private static CallOptions writeOptions(CliArgs a) {
        CallOptions o = CallOptions.defaults();
        if (a.has("consistency")) {
            o = o.withWrite(level(WriteConsistency.class, a.option("consistency").orElseThrow()));
        }
        return o;
    }

    private static CallOptions readOptions(CliArgs a) {
        CallOptions o = CallOptions.defaults();
        if (a.has("consistency")) {
            o = o.withRead(level(ReadConsistency.class, a.option("consistency").orElseThrow()));
        }
        return o;
    }

    private static <E extends Enum<E>> E level(Class<E> type, String s) {
        try {
            return Enum.valueOf(type, s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException.Usage("--consistency " + s + " is not one of " + Arrays.toString(type.getEnumConstants())
                    + " for this operation");
        }
    }

    // ---------------------------------------------------------------- cluster status

    private static int cluster(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        CliArgs a = CliArgs.parse(args, Set.of("balancer", "controller"));
        String op = a.word(0, "cluster operation (status)");
        if (!op.equals("status")) {
            throw new CliException.Usage("unknown cluster operation '" + op + "'");
        }
        a.expectWords(1);
        String[] balancers = endpoints(a.option("balancer"), env.get(BALANCER_ENV), DEFAULT_BALANCER);
        String[] controllers = endpoints(a.option("controller"), env.get(CONTROLLER_ENV), DEFAULT_CONTROLLER);
        int code = ExitCodes.OK;
        try (AdminHttp http = new AdminHttp()) {
            JsonNode ctl = null;
            JsonNode nodes = null;
            try {
                ctl = http.call(List.of(controllers), "GET", "/admin/v1/cluster", null);
                nodes = http.call(List.of(controllers), "GET", "/admin/v1/nodes", null);
            } catch (StrataException e) {
                err.println("strata: controller: " + e.codeName() + ": " + e.detailMessage());
                code = ExitCodes.ERROR;
            }
            JsonNode bal = null;
            try {
                bal = http.call(List.of(balancers), "GET", "/v1/cluster", null);
            } catch (StrataException e) {
                err.println("strata: balancer: " + e.codeName() + ": " + e.detailMessage());
                code = ExitCodes.ERROR;
            }
            ClusterStatus.print(out, String.join(",", controllers), ctl, nodes, String.join(",", balancers), bal);
        }
        return code;
    }

    // ---------------------------------------------------------------- keyspace

    private static int keyspace(String[] args, PrintStream out, Map<String, String> env) {
        CliArgs a = CliArgs.parse(args, Set.of("controller", "partitions", "replication", "write-consistency",
                "read-consistency"));
        String op = a.word(0, "keyspace operation (create, list, describe, delete)");
        List<String> controllers = List.of(endpoints(a.option("controller"), env.get(CONTROLLER_ENV), DEFAULT_CONTROLLER));
        try (AdminHttp http = new AdminHttp()) {
            switch (op) {
                case "create" -> {
                    String name = a.word(1, "NAME");
                    a.expectWords(2);
                    if (!a.has("partitions") || !a.has("replication")) {
                        throw new CliException.Usage("keyspace create needs --partitions N and --replication R");
                    }
                    ObjectNode body = AdminHttp.JSON.createObjectNode().put("name", name)
                            .put("partitions", a.intOption("partitions", 0, 1))
                            .put("replicationFactor", a.intOption("replication", 0, 1));
                    a.option("write-consistency").ifPresent(c -> body.put("defaultWriteConsistency",
                            level(WriteConsistency.class, c).name()));
                    a.option("read-consistency").ifPresent(c -> body.put("defaultReadConsistency",
                            level(ReadConsistency.class, c).name()));
                    JsonNode ks = http.call(controllers, "POST", "/admin/v1/keyspaces", body);
                    out.println("created keyspace " + ks.path("name").asText(name) + ": " + ks.path("partitions").asText()
                            + " partitions, replication factor " + ks.path("replicationFactor").asText()
                            + ", state " + ks.path("state").asText());
                }
                case "list" -> {
                    a.expectWords(1);
                    JsonNode list = http.call(controllers, "GET", "/admin/v1/keyspaces", null);
                    ClusterStatus.keyspaces(out, list.path("keyspaces"));
                }
                case "describe" -> {
                    String name = a.word(1, "NAME");
                    a.expectWords(2);
                    JsonNode d = http.call(controllers, "GET", "/admin/v1/keyspaces/" + pathSegment(name), null);
                    ClusterStatus.keyspaces(out, AdminHttp.JSON.createArrayNode().add(d.path("keyspace")));
                    out.println();
                    ClusterStatus.partitions(out, d.path("partitions"), null);
                }
                case "delete" -> {
                    String name = a.word(1, "NAME");
                    a.expectWords(2);
                    http.call(controllers, "DELETE", "/admin/v1/keyspaces/" + pathSegment(name), null);
                    out.println("deleted keyspace " + name);
                }
                default -> throw new CliException.Usage("unknown keyspace operation '" + op + "'");
            }
        }
        return ExitCodes.OK;
    }

    // ---------------------------------------------------------------- partition

    private static int partition(String[] args, PrintStream out, Map<String, String> env) {
        CliArgs a = CliArgs.parse(args, Set.of("controller", "to"));
        String op = a.word(0, "partition operation (split, transfer-leader)");
        List<String> controllers = List.of(endpoints(a.option("controller"), env.get(CONTROLLER_ENV), DEFAULT_CONTROLLER));
        String ks = a.word(1, "KS");
        String pid = a.word(2, "PID");
        a.expectWords(3);
        String base = "/admin/v1/partitions/" + pathSegment(ks) + "/" + pathSegment(pid);
        try (AdminHttp http = new AdminHttp()) {
            switch (op) {
                case "split" -> {
                    JsonNode p = http.call(controllers, "POST", base + "/split", null);
                    out.println("split of " + ks + "/" + pid + " requested: state " + p.path("state").asText()
                            + (p.hasNonNull("split") ? ", plan " + p.get("split") : ""));
                }
                case "transfer-leader" -> {
                    String to = a.option("to").orElseThrow(() -> new CliException.Usage("transfer-leader needs --to NODE"));
                    JsonNode p = http.call(controllers, "POST", base + "/transfer-leader",
                            AdminHttp.JSON.createObjectNode().put("target", to));
                    out.println("leader of " + ks + "/" + pid + " is " + p.path("leader").asText("(none)")
                            + " at epoch " + p.path("leaderEpoch").asText());
                }
                default -> throw new CliException.Usage("unknown partition operation '" + op + "'");
            }
        }
        return ExitCodes.OK;
    }

    // ---------------------------------------------------------------- helpers

    /** The endpoints from the option, else the environment variable, else the default; comma-separated. */
    static String[] endpoints(Optional<String> option, String envValue, String dflt) {
        String v = option.orElse(envValue == null || envValue.isBlank() ? dflt : envValue);
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        if (out.isEmpty()) {
            throw new CliException.Usage("no endpoint given");
        }
        return out.toArray(String[]::new);
    }

    private static String pathSegment(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
