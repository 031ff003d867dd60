package io.stratakv.ops.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratakv.ops.Ports;
import io.stratakv.ops.Strata;
import io.stratakv.ops.zookeeper.ZooKeeperConfigException;
import io.stratakv.ops.zookeeper.ZooKeeperService;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.hash.KeyHash;
import org.apache.zookeeper.server.embedded.ExitHandler;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The dev cluster: ZooKeeper in this JVM, then one controller, the nodes and one balancer as child
 * JVMs of this same program (same java binary, same classpath), each started with
 * {@code Strata <service> server <generated yml>} exactly as in production.
 *
 * <p>Lifecycle: {@link #prepare()} (lock the data directory, refuse a cluster that is still
 * running on it, check every port, write the YAML), {@link #start()}, {@link #awaitReady},
 * {@link #close()}. {@code close} stops in the reverse of the dependency order — balancer,
 * controller, nodes, then ZooKeeper — each by its own pid with SIGTERM and a grace period before
 * SIGKILL, and may be called from a shutdown hook at any point, also half way through a start:
 * once it began, nothing new is started ({@link #stopping} is checked under the same lock).
 */
final class DevCluster implements AutoCloseable {

    static final String DEFAULT_CHILD_JAVA_OPTS = "-Xms64m -Xmx512m -XX:+UseParallelGC";
    static final Duration STOP_GRACE = Duration.ofSeconds(20);
    static final Duration POLL = Duration.ofMillis(250);
    static final String PROBE_KEY = "strata-dev-probe";
    static final String PID_FILE = "dev.pids";

    private final DevOptions options;
    private final DevPorts ports;
    private final DevConfigs configs;
    private final PrintStream out;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<ServiceProcess> children = new ArrayList<>();
    private final Map<String, String> probeKeys = new java.util.concurrent.ConcurrentHashMap<>();
    private ZooKeeperService zookeeper;
    private FileChannel lockChannel;
    private FileLock lock;
    private Map<String, Path> configFiles;
    private boolean stopping;
    private volatile boolean ready;

    DevCluster(DevOptions options, PrintStream out) {
        this.options = options;
        this.ports = DevPorts.of(options);
        this.configs = new DevConfigs(options, ports);
        this.out = out;
    }

    DevPorts ports() {
        return ports;
    }

    DevConfigs configs() {
        return configs;
    }

    Path pidFile() {
        return options.dataDir().resolve(PID_FILE);
    }

    /** Everything that can fail before a process starts, with a message that says what to do. */
    void prepare() throws DevException, IOException {
        Files.createDirectories(options.dataDir());
        lockDataDir();
        refuseLeftovers();
        List<String> taken = new ArrayList<>();
        for (Map.Entry<Integer, String> e : ports.all().entrySet()) {
            if (!Ports.isFree(DevPorts.HOST, e.getKey())) {
                taken.add(e.getKey() + " (" + e.getValue() + ")");
            }
        }
        if (!taken.isEmpty()) {
            throw new DevException("port" + (taken.size() > 1 ? "s " : " ") + String.join(", ", taken)
                    + (taken.size() > 1 ? " are" : " is") + " already in use on " + DevPorts.HOST
                    + ". Stop what holds " + (taken.size() > 1 ? "them" : "it")
                    + " (`ss -ltnp` shows it), or pick another block with --base-port N (uses N to N+"
                    + (ports.all().size() - 1) + ").");
        }
        configFiles = configs.writeAll();
    }

    /** One dev per data directory: a second one would share the nodes' files. */
    private void lockDataDir() throws IOException, DevException {
        Path lockFile = options.dataDir().resolve("dev.lock");
        lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new DevException("another `strata dev` is running on " + options.dataDir()
                    + " (see " + pidFile() + "); stop it first, or use another --data-dir");
        }
    }

    /**
     * Services of an earlier dev on this directory that still run (their dev was killed with
     * SIGKILL and could not stop them): starting beside them would fight over ports and files.
     */
    private void refuseLeftovers() throws IOException, DevException {
        Path f = pidFile();
        if (!Files.exists(f)) {
            return;
        }
        List<String> alive = new ArrayList<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 2 || parts[0].equals("dev")) {
                continue;
            }
            long pid;
            try {
                pid = Long.parseLong(parts[1]);
            } catch (NumberFormatException e) {
                continue;
            }
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            boolean ours = h.isPresent() && h.get().isAlive()
                    && h.get().info().commandLine().map(c -> c.contains(configs.confDir().toString())).orElse(false);
            if (ours) {
                alive.add(parts[0] + " (pid " + pid + ")");
            }
        }
        if (!alive.isEmpty()) {
            throw new DevException("services of an earlier `strata dev` on " + options.dataDir() + " are still running: "
                    + String.join(", ", alive) + ". Stop them with kill " + alive.stream()
                    .map(s -> s.replaceAll(".*pid (\\d+)\\)", "$1")).collect(Collectors.joining(" ")) + ", then start again.");
        }
    }

    /** Starts ZooKeeper here, then every service as a child JVM, and writes the pid file. */
    void start() throws Exception {
        ZooKeeperService zk;
        try {
            zk = ZooKeeperService.standalone(DevPorts.HOST, ports.zookeeper(), configs.zookeeperDataDir(), ExitHandler.EXIT);
        } catch (ZooKeeperConfigException e) {
            throw new DevException(e.getMessage());
        }
        synchronized (this) {
            if (stopping) {
                return;
            }
            zookeeper = zk;
        }
        zk.start(Duration.ofSeconds(60));
        out.println("  zookeeper    " + zk.connectString() + "   in this process, data " + configs.zookeeperDataDir());
        for (Map.Entry<String, Path> e : configFiles.entrySet()) {
            String service = e.getKey();
            List<String> command = childCommand(service, e.getValue());
            synchronized (this) {
                if (stopping) {
                    return;
                }
                ServiceProcess p = ServiceProcess.start(service, command, configs.logDir().resolve(service + ".log"));
                children.add(p);
                p.process().onExit().thenAccept(x -> reportUnexpectedExit(p));
            }
        }
        writePidFile();
    }

    /**
     * A service's command line: this JVM's own java binary and classpath (the fat jar, or a
     * test's classpath), modest flags because five JVMs share the machine, and the same entry
     * point and arguments as in production. (A class-data-sharing archive per service was tried:
     * the JVM refuses it together with --enable-native-access, and it cost 45 MB per service.)
     */
    static List<String> childCommand(String service, Path yml) {
        List<String> c = new ArrayList<>();
        // Own session (setsid(1) execs in place, so the pid stays the JVM's): Ctrl-C in a terminal
        // then reaches only this process, which stops the services in order, not all at once.
        Path setsid = findSetsid();
        if (setsid != null) {
            c.add(setsid.toString());
        }
        c.add(javaBinary());
        String opts = System.getenv("STRATA_DEV_JAVA_OPTS");
        c.addAll(Arrays.stream((opts == null || opts.isBlank() ? DEFAULT_CHILD_JAVA_OPTS : opts).trim().split("\\s+"))
                .filter(s -> !s.isEmpty()).toList());
        c.add("--enable-native-access=ALL-UNNAMED"); // as ops/bin/strata runs the jar
        c.add("-cp");
        c.add(absoluteClasspath());
        c.addAll(List.of(Strata.class.getName(), DevConfigs.serviceKind(service), "server", yml.toString()));
        return c;
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** This JVM's classpath (the fat jar, or a test's classpath) with absolute entries. */
    static String absoluteClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isEmpty())
                .map(s -> Path.of(s).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Path findSetsid() {
        for (String dir : List.of("/usr/bin", "/bin")) {
            Path p = Path.of(dir, "setsid");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private void writePidFile() throws IOException {
        StringBuilder sb = new StringBuilder("dev " + ProcessHandle.current().pid() + "\n");
        synchronized (this) {
            for (ServiceProcess p : children) {
                sb.append(p.name()).append(' ').append(p.pid()).append('\n');
            }
        }
        Files.writeString(pidFile(), sb.toString(), StandardCharsets.UTF_8);
    }

    private void reportUnexpectedExit(ServiceProcess p) {
        synchronized (this) {
            if (stopping) {
                return;
            }
        }
        int code = p.process().exitValue();
        StringBuilder msg = new StringBuilder("strata dev: " + p.name() + " (pid " + p.pid() + ") exited unexpectedly with code "
                + code + (code > 128 ? " (signal " + (code - 128) + ")" : "") + ". Last lines of " + p.log() + ":\n");
        p.tail(15).lines().forEach(l -> msg.append("    ").append(l).append('\n'));
        if (ready) {
            msg.append("strata dev: the other services keep running; Ctrl-C stops them, and a new `strata dev` restarts all.");
        }
        out.println(msg);
        out.flush();
    }

    /**
     * Waits until the cluster serves: the controller describes the {@code default} keyspace with
     * every partition ONLINE under a leader, and a put, get and delete through the balancer
     * succeed for a probe key in each partition. Fails at once when a service exits, else at the
     * deadline.
     */
    void awaitReady(Instant deadline) throws Exception {
        String stage = "";
        while (true) {
            synchronized (this) {
                if (stopping) {
                    throw new DevException("stopped while starting");
                }
                for (ServiceProcess p : children) {
                    if (!p.isAlive()) {
                        throw new DevException(p.name() + " exited during start (code " + p.process().exitValue()
                                + "); its log is " + p.log());
                    }
                }
            }
            String now = readiness();
            if (now == null) {
                ready = true;
                return;
            }
            if (!now.equals(stage)) {
                out.println("  ... " + now);
                out.flush();
                stage = now;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new DevException("the cluster did not serve within " + options.timeout().toSeconds() + " s; last state: "
                        + now + ". Logs: " + configs.logDir());
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** What the cluster still waits for, or null when it serves. */
    private String readiness() {
        HttpResponse<String> ks;
        try {
            ks = send(HttpRequest.newBuilder(URI.create(DevPorts.url(ports.controller()) + "/admin/v1/keyspaces/default")).GET());
        } catch (IOException e) {
            return "waiting for the controller";
        }
        if (ks.statusCode() == 404) {
            return "waiting for the nodes to register and the controller to create the default keyspace";
        }
        if (ks.statusCode() != 200) {
            return "controller answers " + ks.statusCode() + " for the default keyspace";
        }
        int online;
        List<String> probes = new ArrayList<>();
        JsonNode partitions;
        try {
            partitions = json.readTree(ks.body()).path("partitions");
            online = 0;
            for (JsonNode p : partitions) {
                if ("ONLINE".equals(p.path("state").asText()) && !p.path("leader").isNull() && !p.path("leader").isMissingNode()) {
                    online++;
                }
                probes.add(probeKey(HashRange.parseHex(p.path("range").path("start").asText()),
                        HashRange.parseHex(p.path("range").path("end").asText())));
            }
        } catch (IOException | RuntimeException e) {
            return "controller's answer does not parse: " + e.getMessage();
        }
        if (partitions.isEmpty() || online < partitions.size()) {
            return "partitions of the default keyspace with a leader: " + online + "/" + partitions.size();
        }
        // One probe key per partition: "ONLINE" is what the controller published; this is every
        // leader having taken its role and the balancer routing to it.
        int serving = 0;
        for (String k : probes) {
            String value = "ready-" + System.nanoTime();
            URI key = URI.create(DevPorts.url(ports.balancer()) + "/v1/kv/" + k);
            try {
                String failed = null;
                HttpResponse<String> put = send(HttpRequest.newBuilder(key).PUT(HttpRequest.BodyPublishers.ofString(value)));
                if (put.statusCode() / 100 != 2) {
                    failed = "put " + put.statusCode() + " " + put.body();
                } else {
                    HttpResponse<String> get = send(HttpRequest.newBuilder(key).GET());
                    if (get.statusCode() != 200 || !value.equals(get.body())) {
                        failed = "get " + get.statusCode() + " " + get.body();
                    } else {
                        HttpResponse<String> del = send(HttpRequest.newBuilder(key).DELETE());
                        failed = del.statusCode() / 100 == 2 ? null : "delete " + del.statusCode() + " " + del.body();
                    }
                }
                if (failed != null) {
                    return "partitions serving a put, get and delete through the balancer: " + serving + "/" + probes.size()
                            + " (" + k + ": " + (failed.length() > 160 ? failed.substring(0, 160) : failed) + ")";
                }
            } catch (IOException e) {
                return "waiting for the balancer";
            }
            serving++;
        }
        return null;
    }

    /** A key of the form strata-dev-probe-N whose hash falls in [start, end] (remembered per range). */
    private String probeKey(long start, long end) {
        return probeKeys.computeIfAbsent(start + ":" + end, r -> {
            HashRange range = new HashRange(start, end);
            for (long n = 0; ; n++) {
                String k = PROBE_KEY + "-" + n;
                if (range.contains(KeyHash.hash(k.getBytes(StandardCharsets.UTF_8)))) {
                    return k;
                }
            }
        });
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException {
        try {
            return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    synchronized List<ServiceProcess> children() {
        return List.copyOf(children);
    }

    /**
     * Stops everything in order: balancer, controller, nodes (together), then ZooKeeper. Safe to
     * call twice and from a shutdown hook.
     */
    @Override
    public void close() {
        List<ServiceProcess> started;
        ZooKeeperService zk;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            started = List.copyOf(children);
            zk = zookeeper;
        }
        stopGroup(started.stream().filter(p -> p.name().equals("balancer")).toList());
        stopGroup(started.stream().filter(p -> p.name().equals("controller")).toList());
        stopGroup(started.stream().filter(p -> p.name().startsWith("node-")).toList());
        if (zk != null) {
            zk.close();
            out.println("strata dev: stopped zookeeper");
        }
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException ignored) {
            // the next start finds no live pid in it anyway
        }
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // released by the OS when this process ends
        }
        out.flush();
    }

    private void stopGroup(List<ServiceProcess> group) {
        for (ServiceProcess p : group) {
            p.requestStop();
        }
        for (ServiceProcess p : group) {
            try {
                ServiceProcess.Stopped s = p.awaitStop(STOP_GRACE);
                out.println("strata dev: stopped " + p.name() + " (pid " + p.pid() + ")"
                        + (s.killed() ? ", killed after " + STOP_GRACE.toSeconds() + " s" : ""));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.process().destroyForcibly();
            }
        }
    }

    DevOptions options() {
        return options;
    }
}
