package io.stratakv.ops.zookeeper;

import io.stratakv.ops.Ports;
import org.apache.zookeeper.server.embedded.ExitHandler;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;

/**
 * {@code strata zookeeper}: runs one ZooKeeper server in the foreground until SIGTERM or Ctrl-C,
 * then closes it (sessions and snapshots as on a normal shutdown).
 */
public final class ZooKeeperCommand {

    public static final String USAGE = """
            usage: strata zookeeper [--port 2181] [--host 127.0.0.1] [--data-dir ./data/zookeeper]
                   strata zookeeper --config FILE [--myid N]

              --port N        client port of a standalone server (default 2181)
              --host H        address it listens on (default 127.0.0.1; 0.0.0.0 for every interface)
              --data-dir DIR  snapshots and transaction log (default ./data/zookeeper)
              --config FILE   a zoo.cfg-style properties file (config-examples/zookeeper.properties);
                              with server.N lines the server is one member of an ensemble
              --myid N        this member's N, written to dataDir/myid when that file is missing
            Stops cleanly on SIGTERM or Ctrl-C.""";

    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private ZooKeeperCommand() {
    }

    /** Parsed command line: either a standalone server or a configuration file. */
    record Options(int port, String host, Path dataDir, Path config, OptionalLong myid) {
    }

    static Options parse(String[] args) throws ZooKeeperConfigException {
        int port = 2181;
        String host = "127.0.0.1";
        Path dataDir = Path.of("data", "zookeeper");
        Path config = null;
        OptionalLong myid = OptionalLong.empty();
        boolean standaloneFlags = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> {
                    port = parsePort(value(args, ++i, a));
                    standaloneFlags = true;
                }
                case "--host" -> {
                    host = value(args, ++i, a);
                    standaloneFlags = true;
                }
                case "--data-dir" -> {
                    dataDir = Path.of(value(args, ++i, a));
                    standaloneFlags = true;
                }
                case "--config" -> config = Path.of(value(args, ++i, a));
                case "--myid" -> {
                    String v = value(args, ++i, a);
                    try {
                        long id = Long.parseLong(v);
                        if (id < 1 || id > 255) {
                            throw new NumberFormatException();
                        }
                        myid = OptionalLong.of(id);
                    } catch (NumberFormatException e) {
                        throw new ZooKeeperConfigException("--myid must be a number from 1 to 255, got '" + v + "'");
                    }
                }
                default -> throw new ZooKeeperConfigException("unknown option '" + a + "'");
            }
        }
        if (config != null && standaloneFlags) {
            throw new ZooKeeperConfigException("--config takes the port and data directory from the file; "
                    + "do not combine it with --port, --host or --data-dir");
        }
        if (config == null && myid.isPresent()) {
            throw new ZooKeeperConfigException("--myid needs --config with the ensemble's server.N lines");
        }
        return new Options(port, host, dataDir, config, myid);
    }

    private static String value(String[] args, int i, String flag) throws ZooKeeperConfigException {
        if (i >= args.length) {
            throw new ZooKeeperConfigException(flag + " needs a value");
        }
        return args[i];
    }

    static int parsePort(String v) throws ZooKeeperConfigException {
        try {
            int p = Integer.parseInt(v);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new ZooKeeperConfigException("a port must be a number from 1 to 65535, got '" + v + "'");
        }
    }

    /** Builds the server the options describe (not started). */
    static ZooKeeperService build(Options o, ExitHandler exitHandler) throws ZooKeeperConfigException {
        if (o.config() != null) {
            return ZooKeeperService.fromFile(o.config(), o.myid(), exitHandler);
        }
        if (!Ports.isFree(o.host(), o.port())) {
            throw new ZooKeeperConfigException("port " + o.port() + " on " + o.host()
                    + " is already in use (another ZooKeeper?); choose another with --port");
        }
        return ZooKeeperService.standalone(o.host(), o.port(), o.dataDir(), exitHandler);
    }

    /** Runs until the JVM is asked to stop; returns only on a bad command line (exit code 2) or a failed start (1). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            out.println(USAGE);
            return 0;
        }
        Options o;
        ZooKeeperService zk;
        try {
            o = parse(args);
            zk = build(o, ExitHandler.EXIT);
        } catch (ZooKeeperConfigException e) {
            err.println("strata zookeeper: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("strata zookeeper: stopping");
            zk.close();
            err.println("strata zookeeper: stopped");
            stopped.countDown();
        }, "strata-zookeeper-stop"));
        try {
            zk.start(START_TIMEOUT);
            out.println("strata zookeeper: serving on " + zk.connectString() + " (data " + zk.dataDir() + ")");
            out.flush();
        } catch (Exception e) {
            err.println("strata zookeeper: failed to start: " + e);
            return 1;
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
