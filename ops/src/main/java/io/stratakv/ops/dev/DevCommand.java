package io.stratakv.ops.dev;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code strata dev}: a whole local cluster in one command (README's first command). Prints where
 * everything is and how to use it, then runs until Ctrl-C or SIGTERM.
 */
public final class DevCommand {

    /** Printed once the cluster serves; tests and scripts wait for it. */
    public static final String READY = "strata dev: ready in ";

    private DevCommand() {
    }

    public static String usage() {
        return String.format(DevOptions.USAGE, DevCluster.DEFAULT_CHILD_JAVA_OPTS);
    }

    /** Returns only when the cluster could not start (1) or on a bad command line (2); otherwise runs until stopped. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            out.println(usage());
            return 0;
        }
        DevOptions options;
        try {
            options = DevOptions.parse(args);
        } catch (DevException e) {
            err.println("strata dev: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        DevCluster cluster = new DevCluster(options, out);
        try {
            cluster.prepare();
        } catch (DevException e) {
            err.println("strata dev: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("strata dev: cannot prepare " + options.dataDir() + ": " + e);
            return 1;
        }
        logZooKeeperTo(cluster.configs().logDir().resolve("zookeeper.log"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println();
            out.println("strata dev: stopping (balancer, controller, nodes, then zookeeper)");
            out.flush();
            cluster.close();
            out.println("strata dev: stopped; the data stays in " + options.dataDir());
            out.flush();
            stopped.countDown();
        }, "strata-dev-stop"));

        out.println("strata dev: starting a local cluster in " + options.dataDir() + " (logs in " + cluster.configs().logDir() + ")");
        out.flush();
        try {
            cluster.start();
            cluster.awaitReady(Instant.now().plus(options.timeout()));
        } catch (DevException e) {
            err.println("strata dev: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("strata dev: failed to start: " + e);
            return 1;
        }
        long startedAt = ManagementFactory.getRuntimeMXBean().getStartTime();
        double seconds = (System.currentTimeMillis() - startedAt) / 1000.0;
        out.print(banner(cluster, seconds));
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    static String banner(DevCluster cluster, double seconds) {
        DevPorts p = cluster.ports();
        DevOptions o = cluster.options();
        StringBuilder b = new StringBuilder();
        b.append(READY).append(String.format(Locale.ROOT, "%.1f", seconds)).append(" s\n\n");
        b.append(row("balancer", DevPorts.url(p.balancer()), p.balancerAdmin()));
        b.append(row("controller", DevPorts.url(p.controller()), p.controllerAdmin()));
        for (int i = 1; i <= o.nodes(); i++) {
            b.append(row(DevConfigs.nodeId(i), DevPorts.url(p.nodes().get(i - 1)), p.nodesAdmin().get(i - 1)));
        }
        b.append(String.format(Locale.ROOT, "  %-11s %s%n", "zookeeper", DevPorts.HOST + ":" + p.zookeeper()));
        b.append(String.format(Locale.ROOT, "  %-11s %s%n", "data", o.dataDir()));
        b.append(String.format(Locale.ROOT, "  %-11s %s%n", "logs", cluster.configs().logDir() + "/<service>.log"));
        b.append(String.format(Locale.ROOT, "  %-11s %s%n", "pids", cluster.pidFile()));
        String balancer = DevPorts.url(p.balancer());
        b.append("\nTry it:\n");
        b.append("  curl -X PUT --data-binary 'world' ").append(balancer).append("/v1/kv/hello\n");
        b.append("  curl ").append(balancer).append("/v1/kv/hello\n");
        b.append("  curl -X DELETE ").append(balancer).append("/v1/kv/hello\n");
        b.append("  curl ").append(balancer).append("/v1/cluster\n");
        if (p.isDefault()) {
            b.append("  ops/bin/strata kv put hello world\n");
            b.append("  ops/bin/strata kv get hello\n");
        } else {
            b.append("  (the CLI's defaults are balancer :8080 and controller :7070; point it at the ports above)\n");
        }
        b.append("\nCtrl-C stops everything; the data stays in ").append(o.dataDir()).append(" for the next run.\n");
        return b.toString();
    }

    private static String row(String name, String url, int adminPort) {
        return String.format(Locale.ROOT, "  %-11s %-24s admin %s%n", name, url, DevPorts.url(adminPort));
    }

    /** ZooKeeper runs in this JVM; its log lines go to a file, not over the banner. */
    private static void logZooKeeperTo(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        ctx.reset();
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
        enc.start();
        FileAppender<ILoggingEvent> fa = new FileAppender<>();
        fa.setContext(ctx);
        fa.setName("zookeeper-file");
        fa.setFile(file.toString());
        fa.setAppend(true);
        fa.setEncoder(enc);
        fa.start();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(fa);
    }

}
