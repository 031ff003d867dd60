package io.stratakv.ops.dev;

import java.nio.file.Path;
import java.time.Duration;

/** The command line of {@code strata dev}. */
record DevOptions(Path dataDir, int nodes, int partitions, int replication, Integer basePort, Duration timeout) {

    static final String USAGE = """
            usage: strata dev [--data-dir ./data/dev] [--nodes 3] [--partitions 8] [--replication 3]
                              [--base-port N] [--timeout 180]

            Starts a local cluster: ZooKeeper (in this process), one controller, the storage nodes
            and one balancer, each a child JVM; waits until the `default` keyspace serves, prints
            the URLs and examples, and stops everything on Ctrl-C or SIGTERM.

              --data-dir DIR     ZooKeeper's and the nodes' data, generated YAML, logs (default
                                 ./data/dev); a second run on the same directory keeps the data
              --nodes N          storage nodes, 1 to 9 (default 3)
              --partitions N     partitions of the `default` keyspace when it is first created (default 8)
              --replication N    its replication factor, at most --nodes (default 3)
              --base-port N      use ports N..N+4+2*nodes instead of the defaults: ZooKeeper 2181,
                                 controller 7070/7071, balancer 8080/8081, node i 7i80/7i81
              --timeout SECONDS  how long to wait for the cluster to serve (default 180)
            Environment: STRATA_DEV_JAVA_OPTS, JVM flags of each service (default "%s").""";

    static final int MAX_NODES = 9;

    static DevOptions parse(String[] args) throws DevException {
        Path dataDir = Path.of("data", "dev");
        int nodes = 3;
        int partitions = 8;
        int replication = 3;
        Integer basePort = null;
        int timeoutSeconds = 180;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, a));
                case "--nodes" -> nodes = number(args, ++i, a, 1, MAX_NODES);
                case "--partitions" -> partitions = number(args, ++i, a, 1, 4096);
                case "--replication" -> replication = number(args, ++i, a, 1, MAX_NODES);
                case "--base-port" -> basePort = number(args, ++i, a, 1024, 65000);
                case "--timeout" -> timeoutSeconds = number(args, ++i, a, 5, 3600);
                default -> throw new DevException("unknown option '" + a + "'");
            }
        }
        if (replication > nodes) {
            throw new DevException("--replication " + replication + " needs at least that many nodes (--nodes " + nodes + ")");
        }
        return new DevOptions(dataDir.toAbsolutePath().normalize(), nodes, partitions, replication, basePort,
                Duration.ofSeconds(timeoutSeconds));
    }

    private static String value(String[] args, int i, String flag) throws DevException {
        if (i >= args.length) {
            throw new DevException(flag + " needs a value");
        }
        return args[i];
    }

    private static int number(String[] args, int i, String flag, int min, int max) throws DevException {
        String v = value(args, i, flag);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new DevException(flag + " must be a number from " + min + " to " + max + ", got '" + v + "'");
        }
    }
}
