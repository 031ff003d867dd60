package io.stratakv.it.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.hash.HashRange;
import io.stratakv.zk.hash.KeyHash;
import io.stratakv.zk.records.ControllerEpochRecord;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A whole StrataKV cluster as separate JVM processes, for fault tests (issue 6): a ZooKeeper
 * ensemble of three servers ({@code zk1..zk3}), controllers ({@code ctl1, ctl2}), storage nodes
 * ({@code n1..nN}) and balancers ({@code bal1..}), all from the fat jar {@code ops/target/strata.jar}.
 *
 * <p>With a {@link NetworkLab} (the default when the machine allows it) every process runs in its
 * own network namespace with its own address and the usual ports, so {@link #partition},
 * {@link #isolate}, {@link #heal} and {@link #slow} can cut or degrade links between hosts.
 * Without one, every process listens on 127.0.0.1 with free ports and only process faults work.
 *
 * <p>Configurations are generated from {@code config-examples/*.yml} (so a renamed key breaks
 * here first) with short timeouts for fast failover. Everything lives under
 * {@code it/target/cluster-runs/<name>-<time>/<host>/}: {@code config.yml}, {@code data/} and
 * {@code out.log} (stdout and stderr, appended across restarts).
 *
 * <p>{@link #close()} kills every process and removes the lab; a JVM shutdown hook does the same
 * for clusters a failed test did not close, and {@link NetworkLab#sweepStale()} removes what a
 * killed test JVM left.
 */
public final class Cluster implements AutoCloseable {
    public static final String CLUSTER_NAME = "it";
    public static final String KEYSPACE = "default";
    private static final Set<Cluster> OPEN = ConcurrentHashMap.newKeySet();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(Cluster::close), "cluster-cleanup"));
    }

    private final ClusterSpec spec;
    private final Path root;
    private final Path repo;
    private final Path jar;
    private final Optional<NetworkLab> lab;
    private final Map<String, ServiceProcess> processes = new LinkedHashMap<>();
    private final Map<String, String> addresses = new ConcurrentHashMap<>();
    private final Map<String, Integer> appPorts = new ConcurrentHashMap<>();
    private final Map<String, Integer> adminPorts = new ConcurrentHashMap<>();
    private final Map<String, Integer> zkPorts = new ConcurrentHashMap<>();
    private final List<String> faults = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ZkLayout layout = ZkLayout.forCluster(CLUSTER_NAME);
    private final long startNanos = System.nanoTime();
    private CuratorFramework zk;
    private int nextNode;
    private volatile boolean closed;

    /** Why this machine cannot give each host its own network namespace, or empty when it can. */
    public static Optional<String> networkUnavailableReason() {
        if (!Boolean.parseBoolean(System.getProperty("it.network", "true"))) return Optional.of("-Dit.network=false");
        return NetworkLab.unavailableReason();
    }

    /** Starts everything and waits until every partition of {@code default} has a leader. */
    public static Cluster start(ClusterSpec spec) {
        Cluster c = new Cluster(spec);
        try {
            c.startAll();
            return c;
        } catch (Throwable t) {
            System.err.println("cluster " + spec.name + " failed to start: " + t);
            System.err.println(c.logSummary());
            c.close();
            throw t;
        }
    }

    private Cluster(ClusterSpec spec) {
        this.spec = spec;
        this.repo = findRepo();
        this.jar = Path.of(System.getProperty("strata.jar", repo.resolve("ops/target/strata.jar").toString()));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the cluster tests run the fat jar " + jar + ", which is missing: build it with "
                    + "`mvn -B -o package -DskipTests -pl ops -am` (or run the it module through the reactor, which "
                    + "packages ops first), or point -Dstrata.jar=... at one");
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS"));
        this.root = repo.resolve("it/target/cluster-runs").resolve(spec.name + "-" + stamp);
        boolean useLab = spec.network && NetworkLab.unavailableReason().isEmpty();
        this.lab = useLab ? Optional.of(new NetworkLab()) : Optional.empty();
        OPEN.add(this);
    }

    // ---------------------------------------------------------------- start

    private void startAll() {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> zkHosts = List.of("zk1", "zk2", "zk3");
        for (String h : zkHosts) placeHost(h);
        for (int i = 0; i < zkHosts.size(); i++) {
            writeZooKeeperConfig(zkHosts, i);
            processes.put(zkHosts.get(i), newProcess(zkHosts.get(i), ServiceProcess.Kind.ZOOKEEPER,
                    List.of("-Xmx128m", "-Dlogback.configurationFile=" + logbackFile(),
                            "-Dzookeeper.admin.enableServer=false", "-cp", jar + java.io.File.pathSeparator + snappyJar(),
                            "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                            root.resolve(zkHosts.get(i)).resolve("zoo.cfg").toString())));
        }
        zkHosts.forEach(h -> processes.get(h).start());
        for (int i = 1; i <= spec.controllers; i++) addService("ctl" + i, ServiceProcess.Kind.CONTROLLER);
        for (int i = 1; i <= spec.nodes; i++) addService("n" + (++nextNode), ServiceProcess.Kind.NODE);
        for (int i = 1; i <= spec.balancers; i++) addService("bal" + i, ServiceProcess.Kind.BALANCER);
        awaitZooKeeperQuorum(START_TIMEOUT);
        zk = CuratorFrameworkFactory.builder().connectString(zkConnect()).sessionTimeoutMs(10_000)
                .connectionTimeoutMs(3_000).retryPolicy(new RetryNTimes(3, 200)).build();
        zk.start();
        processes.values().stream().filter(p -> p.kind() != ServiceProcess.Kind.ZOOKEEPER).forEach(ServiceProcess::start);
        for (ServiceProcess p : processes.values()) {
            if (p.kind() != ServiceProcess.Kind.ZOOKEEPER) awaitHealthy(p.host(), START_TIMEOUT);
        }
        awaitAllPartitionsOnline(START_TIMEOUT);
    }

    private void placeHost(String host) {
        if (lab.isPresent()) {
            addresses.put(host, lab.get().addHost(host));
        } else {
            addresses.put(host, "127.0.0.1");
        }
    }

    private int port(int fixed) {
        if (lab.isPresent()) return fixed;
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void writeZooKeeperConfig(List<String> hosts, int index) {
        String host = hosts.get(index);
        Path dir = root.resolve(host);
        zkPorts.computeIfAbsent(host, h -> port(2181));
        StringBuilder cfg = new StringBuilder();
        cfg.append("tickTime=500\ninitLimit=20\nsyncLimit=6\n")
                .append("dataDir=").append(dir.resolve("data")).append('\n')
                .append("clientPort=").append(zkPorts.get(host)).append('\n')
                .append("clientPortAddress=").append(addresses.get(host)).append('\n')
                .append("maxSessionTimeout=20000\n4lw.commands.whitelist=*\nadmin.enableServer=false\n")
                .append("standaloneEnabled=false\n");
        // Quorum ports, fixed per server for the life of the cluster (a restarted server reuses them).
        for (int i = 0; i < hosts.size(); i++) {
            String h = hosts.get(i);
            int quorum = lab.isPresent() ? 2888 : 22888 + 10 * (int) (ProcessHandle.current().pid() % 1000) + i;
            int election = lab.isPresent() ? 3888 : 32888 + 10 * (int) (ProcessHandle.current().pid() % 1000) + i;
            cfg.append("server.").append(i + 1).append('=').append(addresses.get(h)).append(':').append(quorum)
                    .append(':').append(election).append('\n');
        }
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("data/myid"), Integer.toString(index + 1));
            Files.writeString(dir.resolve("zoo.cfg"), cfg.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * ZooKeeper 3.9 loads snappy-java when it names a snapshot, even uncompressed, and the fat jar
     * does not carry it (a provided dependency of ZooKeeper); take it from this test classpath
     * (curator-test brings it).
     */
    private static String snappyJar() {
        try {
            return Path.of(Class.forName("org.xerial.snappy.SnappyInputStream").getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString();
        } catch (ReflectiveOperationException | java.net.URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("snappy-java is not on the test classpath, and ZooKeeper 3.9 needs it: " + e, e);
        }
    }

    private Path logbackFile() {
        Path f = root.resolve("logback-zk.xml");
        if (!Files.exists(f)) {
            try {
                Files.writeString(f, """
                        <configuration>
                          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                          </appender>
                          <root level="INFO"><appender-ref ref="OUT"/></root>
                        </configuration>
                        """);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return f;
    }

    private void addService(String host, ServiceProcess.Kind kind) {
        placeHost(host);
        appPorts.put(host, port(switch (kind) {
            case CONTROLLER -> 7070;
            case NODE -> 7080;
            case BALANCER -> 8080;
            case ZOOKEEPER -> throw new IllegalArgumentException();
        }));
        adminPorts.put(host, port(appPorts.get(host) + 1));
        Path config = root.resolve(host).resolve("config.yml");
        writeServiceConfig(host, kind, config);
        String sub = switch (kind) {
            case CONTROLLER -> "controller";
            case NODE -> "node";
            case BALANCER -> "balancer";
            case ZOOKEEPER -> throw new IllegalArgumentException();
        };
        processes.put(host, newProcess(host, kind, List.of(spec.heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xss512k", "--enable-native-access=ALL-UNNAMED", "-cp", jar.toString(), "io.stratakv.ops.Strata", sub,
                "server", config.toString())));
    }

    private ServiceProcess newProcess(String host, ServiceProcess.Kind kind, List<String> jvmArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        return new ServiceProcess(host, kind, lab.map(l -> l.namespace(host)), cmd, root.resolve(host).resolve("out.log"));
    }

    @SuppressWarnings("unchecked")
    private void writeServiceConfig(String host, ServiceProcess.Kind kind, Path out) {
        String example = switch (kind) {
            case CONTROLLER -> "controller.yml";
            case NODE -> "node.yml";
            case BALANCER -> "balancer.yml";
            case ZOOKEEPER -> throw new IllegalArgumentException();
        };
        Map<String, Object> c;
        try {
            c = YAML.readValue(repo.resolve("config-examples").resolve(example).toFile(), Map.class);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read config-examples/" + example + ": " + e, e);
        }
        String session = spec.sessionTimeout.toMillis() + "ms";
        set(c, "zookeeper.connect", zkConnect());
        set(c, "zookeeper.cluster", CLUSTER_NAME);
        set(c, "zookeeper.sessionTimeout", session);
        set(c, "zookeeper.connectionTimeout", "3s");
        set(c, "server.applicationConnectors[0].port", appPorts.get(host));
        set(c, "server.adminConnectors[0].port", adminPorts.get(host));
        // In a namespace the admin port must be reachable from the controller (node health polls).
        set(c, "server.adminConnectors[0].bindHost", lab.isPresent() ? addresses.get(host) : "127.0.0.1");
        if (lab.isPresent()) set(c, "server.applicationConnectors[0].bindHost", addresses.get(host));
        set(c, "logging.level", "INFO");
        set(c, "logging.appenders", List.of(Map.of("type", "console",
                "logFormat", "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n%ex")));
        switch (kind) {
            case CONTROLLER -> {
                set(c, "controllerId", host);
                set(c, "reconcileInterval", "1s");
                set(c, "healthPollInterval", "500ms");
                set(c, "healthGracePeriod", "3s");
                set(c, "nodeRequestTimeout", "1s");
                set(c, "leaderBalancing", spec.leaderBalancing);
                set(c, "defaultKeyspace.partitions", spec.partitions);
                set(c, "defaultKeyspace.replicationFactor", spec.replicationFactor);
            }
            case NODE -> {
                set(c, "nodeId", host);
                set(c, "rack", "rack-" + host);
                set(c, "dataDir", root.resolve(host).resolve("data").toString());
                set(c, "advertisedHost", addresses.get(host));
                set(c, "storage.fsyncPolicy", spec.fsyncPolicy);
                set(c, "storage.memtableSize", "4MiB");
                set(c, "storage.blockCacheSize", "8MiB");
                set(c, "storage.logSegmentSize", "16MiB");
                set(c, "storage.minFreeSpace", "1MiB");
                set(c, "limits.requestTimeout", "3s");
                set(c, "replication.reconcileInterval", "1s");
                set(c, "replication.fetchTimeout", "2s");
            }
            case BALANCER -> {
                set(c, "reconcileInterval", "1s");
                set(c, "requests.defaultTimeout", "4s");
                set(c, "nodeClient.suspectFor", "2s");
            }
            case ZOOKEEPER -> throw new IllegalArgumentException();
        }
        try {
            Files.createDirectories(out.getParent());
            YAML.writeValue(out.toFile(), c);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets {@code a.b[0].c} in a YAML tree; the path's maps and list entries must exist, except the last key. */
    @SuppressWarnings("unchecked")
    private static void set(Map<String, Object> tree, String path, Object value) {
        String[] parts = path.split("\\.");
        Object at = tree;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            Integer index = null;
            if (part.endsWith("]")) {
                index = Integer.parseInt(part.substring(part.indexOf('[') + 1, part.length() - 1));
                part = part.substring(0, part.indexOf('['));
            }
            Map<String, Object> m = (Map<String, Object>) at;
            boolean last = i == parts.length - 1;
            if (last && index == null) {
                m.put(part, value);
                return;
            }
            Object next = m.get(part);
            if (next == null) {
                if (index != null) throw new IllegalArgumentException("no list " + part + " in " + path);
                next = new LinkedHashMap<String, Object>();
                m.put(part, next);
            }
            if (index != null) {
                next = ((List<Object>) next).get(index);
            }
            at = next;
        }
    }

    // ---------------------------------------------------------------- waiting

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean ok;
            try {
                ok = condition.getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            if (ok) return;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    public void awaitZooKeeperQuorum(Duration timeout) {
        await("a ZooKeeper quorum (zk1..zk3 serving)", timeout, () -> {
            int serving = 0;
            for (String h : List.of("zk1", "zk2", "zk3")) {
                if (processes.get(h).isAlive() && zkMode(h).isPresent()) serving++;
            }
            return serving >= 2;
        });
    }

    /** The ZooKeeper server's mode (leader, follower), from the {@code srvr} four-letter word; empty when not serving. */
    public Optional<String> zkMode(String host) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(addresses.get(host), zkPorts.get(host)), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            for (String line : answer.split("\n")) {
                if (line.startsWith("Mode: ")) return Optional.of(line.substring(6).strip());
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public void awaitHealthy(String host, Duration timeout) {
        await(host + " healthy (admin /healthcheck 200)", timeout, () -> {
            if (!processes.get(host).isAlive()) {
                throw new AssertionError(host + " exited while starting; see " + processes.get(host).log());
            }
            return healthy(host);
        });
    }

    public boolean healthy(String host) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + addresses.get(host) + ":"
                    + adminPorts.get(host) + "/healthcheck")).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void awaitAllPartitionsOnline(Duration timeout) {
        await("every partition of '" + KEYSPACE + "' ONLINE with a live leader", timeout, () -> {
            List<PartitionRecord> ps = partitions();
            if (ps.isEmpty()) return false;
            for (PartitionRecord p : ps) {
                if (p.state() == PartitionState.RETIRED) continue; // a split parent: its children serve its range
                if (p.state() != PartitionState.ONLINE || p.leader().isEmpty()) return false;
                ServiceProcess leader = processes.get(p.leader().get());
                if (leader == null || !leader.isAlive() || leader.isPaused()) return false;
            }
            return true;
        });
    }

    // ---------------------------------------------------------------- ZooKeeper view

    /** The partitions of {@code default}, read from ZooKeeper now (throws while ZooKeeper is unreachable). */
    public List<PartitionRecord> partitions() {
        try {
            List<PartitionRecord> out = new ArrayList<>();
            if (zk.checkExists().forPath(layout.partitions(KEYSPACE)) == null) return out;
            for (String pid : zk.getChildren().forPath(layout.partitions(KEYSPACE))) {
                ZkCodec.read(zk, layout.partition(KEYSPACE, Integer.parseInt(pid)), PartitionRecord.class)
                        .map(Versioned::value).ifPresent(out::add);
            }
            out.sort(Comparator.comparingInt(PartitionRecord::partitionId));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read partitions from ZooKeeper: " + e, e);
        }
    }

    /** The partition (not RETIRED by a split) whose hash range holds {@code key}. */
    public PartitionRecord partitionOf(String key) {
        List<PartitionRecord> ps = partitions().stream()
                .filter(p -> p.state() != PartitionState.RETIRED).toList();
        List<HashRange> ranges = ps.stream().map(PartitionRecord::range).toList();
        return ps.get(HashRange.find(ranges, KeyHash.hash(key.getBytes(StandardCharsets.UTF_8))));
    }

    /** The controller whose id is in {@code /controller/epoch}: the active one (or the last active). */
    public Optional<String> activeController() {
        try {
            return ZkCodec.read(zk, layout.controllerEpoch(), ControllerEpochRecord.class)
                    .map(v -> v.value().controllerId());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    public CuratorFramework zk() {
        return zk;
    }

    public String zkConnect() {
        return String.join(",", Stream.of("zk1", "zk2", "zk3")
                .map(h -> addresses.get(h) + ":" + zkPorts.computeIfAbsent(h, x -> port(2181))).toList());
    }

    // ---------------------------------------------------------------- addresses

    public URI balancerUri(int index) {
        String host = "bal" + (index + 1);
        return URI.create("http://" + addresses.get(host) + ":" + appPorts.get(host));
    }

    public List<URI> balancerUris() {
        List<URI> out = new ArrayList<>();
        for (int i = 0; i < spec.balancers; i++) out.add(balancerUri(i));
        return out;
    }

    /** The controller's admin API ({@code /admin/v1/...} on its application port). */
    public URI controllerUri(String host) {
        return URI.create("http://" + addresses.get(host) + ":" + appPorts.get(host));
    }

    public URI nodeUri(String host) {
        return URI.create("http://" + addresses.get(host) + ":" + appPorts.get(host));
    }

    public List<String> nodeHosts() {
        return processes.values().stream().filter(p -> p.kind() == ServiceProcess.Kind.NODE)
                .map(ServiceProcess::host).toList();
    }

    public List<String> controllerHosts() {
        return processes.values().stream().filter(p -> p.kind() == ServiceProcess.Kind.CONTROLLER)
                .map(ServiceProcess::host).toList();
    }

    public List<String> hosts() {
        return List.copyOf(processes.keySet());
    }

    public ServiceProcess process(String host) {
        ServiceProcess p = processes.get(host);
        if (p == null) throw new IllegalArgumentException("no host " + host + " in " + processes.keySet());
        return p;
    }

    public boolean hasNetwork() {
        return lab.isPresent();
    }

    public ClusterSpec spec() {
        return spec;
    }

    public Path root() {
        return root;
    }

    // ---------------------------------------------------------------- faults

    private void fault(String what) {
        String line = String.format("+%6.1fs %s", (System.nanoTime() - startNanos) / 1e9, what);
        faults.add(line);
        System.out.println("[fault] " + spec.name + " " + line);
    }

    /** Every fault injected so far, with its time since the cluster started. */
    public List<String> faults() {
        return List.copyOf(faults);
    }

    public void kill(String host) {
        fault("kill -9 " + host);
        process(host).kill();
    }

    public void pause(String host) {
        fault("SIGSTOP " + host);
        process(host).pause();
    }

    public void resume(String host) {
        fault("SIGCONT " + host);
        process(host).resume();
    }

    /** Starts a stopped or killed process again with its configuration and data. */
    public void start(String host) {
        fault("start " + host);
        process(host).start();
    }

    /** SIGTERM (or SIGKILL when {@code hard}), then start again with the same data. */
    public void restart(String host, boolean hard) {
        fault((hard ? "kill -9 and restart " : "restart ") + host);
        ServiceProcess p = process(host);
        if (hard) p.kill(); else p.stop();
        p.start();
    }

    public void stop(String host) {
        fault("stop " + host);
        process(host).stop();
    }

    /** Pauses {@code host} longer than its ZooKeeper session timeout, so the session expires, then resumes it. */
    public void expireSession(String host) throws InterruptedException {
        pause(host);
        Thread.sleep(spec.sessionTimeout.toMillis() * 2 + 1000);
        resume(host);
    }

    /** Kills a node, deletes its data directory and starts it again: a replaced disk. */
    public void replaceWithEmptyDisk(String host) {
        fault("kill -9 " + host + ", wipe its data, start");
        ServiceProcess p = process(host);
        p.kill();
        deleteTree(root.resolve(host).resolve("data"));
        p.start();
    }

    /** Adds a storage node ({@code n<k>}), starts it and waits until it is healthy. */
    public String addNode() {
        String host = "n" + (++nextNode);
        addService(host, ServiceProcess.Kind.NODE);
        fault("add node " + host);
        processes.get(host).start();
        awaitHealthy(host, START_TIMEOUT);
        return host;
    }

    public void restartZooKeeper(String host) {
        restart(host, false);
    }

    /** Kills two of the three ZooKeeper servers: no quorum. */
    public void loseZooKeeperQuorum() {
        fault("lose ZooKeeper quorum (kill -9 zk2, zk3)");
        process("zk2").kill();
        process("zk3").kill();
    }

    public void restoreZooKeeperQuorum() {
        fault("restore ZooKeeper quorum (start zk2, zk3)");
        process("zk2").start();
        process("zk3").start();
        awaitZooKeeperQuorum(START_TIMEOUT);
    }

    @SafeVarargs
    public final void partition(Collection<String>... groups) {
        fault("partition " + java.util.Arrays.toString(groups));
        requireLab().partition(groups);
    }

    /** Cuts {@code host} off from every other host of the cluster (the test JVM still reaches it). */
    public void isolate(String host) {
        fault("isolate " + host);
        requireLab().isolate(host);
    }

    public void heal() {
        fault("heal the network");
        requireLab().heal();
    }

    public void slow(String host, int delayMs, int lossPct) {
        fault("slow " + host + " (delay " + delayMs + " ms, loss " + lossPct + "%)");
        requireLab().slow(host, delayMs, lossPct);
    }

    public boolean canDelay() {
        return lab.map(NetworkLab::canDelay).orElse(false);
    }

    private NetworkLab requireLab() {
        return lab.orElseThrow(() -> new IllegalStateException("this cluster runs without network namespaces: "
                + NetworkLab.unavailableReason().orElse("spec.network(false)")));
    }

    // ---------------------------------------------------------------- teardown

    /** Where each process's output is, for a failure message. */
    public String logSummary() {
        StringBuilder b = new StringBuilder("cluster ").append(spec.name).append(" logs under ").append(root).append(':');
        processes.values().forEach(p -> b.append("\n  ").append(p.host()).append(": ").append(p.log()));
        return b.toString();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        OPEN.remove(this);
        for (ServiceProcess p : processes.values()) {
            try {
                p.kill();
            } catch (RuntimeException e) {
                System.err.println("cannot kill " + p + ": " + e);
            }
        }
        if (zk != null) zk.close();
        lab.ifPresent(NetworkLab::close);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path findRepo() {
        String configured = System.getProperty("strata.root");
        if (configured != null) return Path.of(configured).toAbsolutePath();
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("config-examples")) && Files.isRegularFile(p.resolve("pom.xml"))) return p;
            p = p.getParent();
        }
        throw new IllegalStateException("cannot find the repository root (a directory with config-examples/ and "
                + "pom.xml) above " + Path.of("").toAbsolutePath() + "; set -Dstrata.root=...");
    }
}
