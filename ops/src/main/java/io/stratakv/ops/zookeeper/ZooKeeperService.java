package io.stratakv.ops.zookeeper;

import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One ZooKeeper server in this JVM, through ZooKeeper's own {@link ZooKeeperServerEmbedded} (the
 * production server classes, not a test harness): standalone, or one member of an ensemble when
 * its properties list {@code server.N} lines. {@code strata zookeeper} and {@code strata dev} both
 * run it.
 *
 * <p>Properties are zoo.cfg's. Two are forced off unless the file sets them: ZooKeeper's admin
 * HTTP server ({@code admin.enableServer}), which is built for Jetty 9 while the services in this
 * jar bring Jetty 12, and which would open another unauthenticated port; and the four-letter words
 * beyond {@code srvr,ruok,mntr} (LESSONS.md: admin endpoints open to anyone).
 */
public final class ZooKeeperService implements AutoCloseable {

    /** zoo.cfg's usual tick; the session timeouts a client may ask for are 2 to 20 ticks. */
    static final int TICK_MILLIS = 2000;
    /** Longest wait for ZooKeeper to stop (it writes no snapshot on close; this is ample). */
    static final Duration STOP_WAIT = Duration.ofSeconds(15);

    private final Properties properties;
    private final ZooKeeperServerEmbedded server;
    private boolean closed;

    private ZooKeeperService(Properties properties, ExitHandler exitHandler) throws ZooKeeperConfigException {
        this.properties = properties;
        Path scratch = null;
        try {
            Files.createDirectories(dataDir());
            // The embedded server writes its effective configuration to a new file in baseDir at
            // every boot and parses it in build(): give it a scratch directory, removed right after.
            scratch = Files.createTempDirectory("strata-zookeeper");
            this.server = ZooKeeperServerEmbedded.builder()
                    .baseDir(scratch)
                    .configuration(properties)
                    .exitHandler(exitHandler)
                    .build();
        } catch (IOException e) {
            throw new ZooKeeperConfigException("cannot prepare ZooKeeper's data directory " + dataDir() + ": " + e);
        } catch (Exception e) {
            throw new ZooKeeperConfigException("invalid ZooKeeper configuration: " + e.getMessage());
        } finally {
            deleteQuietly(scratch);
        }
    }

    /**
     * A standalone server on {@code host:port} keeping its snapshots and transaction log in
     * {@code dataDir}. {@code exitHandler} EXIT: a fatal server error ends the JVM (its shutdown
     * hooks run), as a production server should; LOG_ONLY for tests.
     */
    public static ZooKeeperService standalone(String host, int port, Path dataDir, ExitHandler exitHandler)
            throws ZooKeeperConfigException {
        return new ZooKeeperService(standaloneProperties(host, port, dataDir), exitHandler);
    }

    /**
     * A server from a zoo.cfg-style properties file. With {@code server.N} lines it is one member
     * of an ensemble and needs its id: {@code myid} (written to {@code dataDir/myid} when that file
     * is missing, checked against it otherwise) or an existing {@code dataDir/myid}.
     */
    public static ZooKeeperService fromFile(Path file, OptionalLong myid, ExitHandler exitHandler)
            throws ZooKeeperConfigException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ZooKeeperConfigException("cannot read " + file + ": " + e.getMessage());
        }
        return fromProperties(p, myid, exitHandler);
    }

    static ZooKeeperService fromProperties(Properties p, OptionalLong myid, ExitHandler exitHandler)
            throws ZooKeeperConfigException {
        Properties props = new Properties();
        props.putAll(p);
        // zoo.cfg values often carry trailing blanks that ZooKeeper would keep.
        for (String k : props.stringPropertyNames()) {
            props.setProperty(k, props.getProperty(k).trim());
        }
        if (!props.containsKey("dataDir")) {
            throw new ZooKeeperConfigException("the ZooKeeper configuration has no dataDir");
        }
        if (!props.containsKey("clientPort") && !props.containsKey("secureClientPort")) {
            throw new ZooKeeperConfigException("the ZooKeeper configuration has no clientPort");
        }
        props.putIfAbsent("tickTime", Integer.toString(TICK_MILLIS));
        props.putIfAbsent("admin.enableServer", "false");
        props.putIfAbsent("4lw.commands.whitelist", "srvr,ruok,mntr");
        boolean ensemble = props.stringPropertyNames().stream().anyMatch(k -> k.startsWith("server."));
        if (ensemble) {
            props.putIfAbsent("initLimit", "10");
            props.putIfAbsent("syncLimit", "5");
            writeOrCheckMyid(Path.of(props.getProperty("dataDir")), myid);
        } else if (myid.isPresent()) {
            throw new ZooKeeperConfigException("--myid is only for an ensemble (server.N lines); this configuration is standalone");
        }
        return new ZooKeeperService(props, exitHandler);
    }

    static Properties standaloneProperties(String host, int port, Path dataDir) {
        Properties p = new Properties();
        p.setProperty("tickTime", Integer.toString(TICK_MILLIS));
        p.setProperty("dataDir", dataDir.toAbsolutePath().toString());
        p.setProperty("clientPort", Integer.toString(port));
        p.setProperty("clientPortAddress", host);
        // Keep three snapshots and purge older ones (and their logs) every hour.
        p.setProperty("autopurge.snapRetainCount", "3");
        p.setProperty("autopurge.purgeInterval", "1");
        p.setProperty("admin.enableServer", "false");
        p.setProperty("4lw.commands.whitelist", "srvr,ruok,mntr");
        return p;
    }

    private static void writeOrCheckMyid(Path dataDir, OptionalLong myid) throws ZooKeeperConfigException {
        Path file = dataDir.resolve("myid");
        try {
            if (Files.exists(file)) {
                String existing = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (myid.isPresent() && !existing.equals(Long.toString(myid.getAsLong()))) {
                    throw new ZooKeeperConfigException(file + " says this server is " + existing
                            + " but --myid says " + myid.getAsLong() + "; a server's id never changes");
                }
                return;
            }
            if (myid.isEmpty()) {
                throw new ZooKeeperConfigException("an ensemble member needs its id: pass --myid N (N from its server.N line) "
                        + "or write N to " + file);
            }
            Files.createDirectories(dataDir);
            Files.writeString(file, myid.getAsLong() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ZooKeeperConfigException("cannot read or write " + file + ": " + e.getMessage());
        }
    }

    /**
     * Starts serving; waits up to {@code timeout} until the server accepts clients. ZooKeeper
     * 3.9.3's embedded server can hang for good when its start fails (it joins an accept thread
     * that never ran), so the start runs on its own thread and this gives up at the deadline.
     */
    public void start(Duration timeout) throws Exception {
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                server.start(timeout.toMillis());
                started.complete(null);
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        }, "strata-zookeeper-start");
        t.setDaemon(true);
        t.start();
        try {
            started.get(timeout.toMillis() + STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ZooKeeperConfigException("ZooKeeper did not start within " + timeout.toSeconds()
                    + " s; its log says why (the cause is often a missing class or an unusable data directory)");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /** host:port that clients use, e.g. {@code 127.0.0.1:2181}. */
    public String connectString() throws Exception {
        return server.getConnectionString();
    }

    public Path dataDir() {
        return Path.of(properties.getProperty("dataDir")).toAbsolutePath();
    }

    /** Stops the server; waits for it at most {@link #STOP_WAIT} (see {@link #start}), so a shutdown hook cannot hang. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread t = new Thread(server::close, "strata-zookeeper-close");
        t.setDaemon(true);
        t.start();
        try {
            t.join(STOP_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
