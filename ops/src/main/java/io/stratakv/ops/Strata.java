package io.stratakv.ops;

import java.util.Arrays;

/** The one entry point of the strata jar: dispatches subcommands. */
public final class Strata {

    private Strata() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage();
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        // Services: Dropwizard's own command line (server CONFIG, check CONFIG); they keep running.
        if (args[0].equals("controller")) {
            io.stratakv.controller.ControllerApplication.main(rest.length == 0 ? new String[]{"-h"} : rest);
            return;
        }
        if (args[0].equals("node")) {
            io.stratakv.node.NodeApplication.main(rest.length == 0 ? new String[]{"-h"} : rest);
            return;
        }
        if (args[0].equals("balancer")) {
            io.stratakv.balancer.BalancerApplication.main(rest.length == 0 ? new String[]{"-h"} : rest);
            return;
        }
        if (io.stratakv.ops.cli.ClientCommands.handles(args[0])) {
            int code = io.stratakv.ops.cli.ClientCommands.run(args[0], rest, System.out, System.err, System.getenv(), System.in);
            System.out.flush();
            System.exit(code);
            return;
        }
        int code = switch (args[0]) {
            case "bench" -> Bench.run(rest);
            // Both run until SIGTERM or Ctrl-C (their shutdown hooks stop what they started);
            // they return only on a bad command line or a failed start.
            case "zookeeper" -> io.stratakv.ops.zookeeper.ZooKeeperCommand.run(rest, System.out, System.err);
            case "dev" -> io.stratakv.ops.dev.DevCommand.run(rest, System.out, System.err);
            default -> {
                System.err.println("strata: unknown command '" + args[0] + "'");
                usage();
                yield 2;
            }
        };
        System.out.flush();
        // Exit explicitly: a storage engine's background threads must not keep a finished command alive.
        System.exit(code);
    }

    static void usage() {
        // Keep in step with usage() in ops/bin/strata, which answers `strata help` without building.
        System.out.println("""
                usage: strata <command> [options]

                commands:
                  dev [options]            a local cluster: ZooKeeper, a controller, three nodes and a balancer
                                           on 127.0.0.1 until Ctrl-C; `strata dev --help` lists the options
                  zookeeper [options]      run a ZooKeeper server (standalone, or --config FILE for an
                                           ensemble member); `strata zookeeper --help` lists the options
                  bench engine [options]   db_bench-style workloads against StrataKV's storage engine and
                                           RocksDB in one JVM; `strata bench engine --help` lists the options
                  bench cluster --workload a..f [--records N --operations N --threads T --balancer URL]
                                           YCSB core workload against a running cluster: throughput, p50/p95/p99
                  kv put|get|del|scan ...  keys and values through a balancer (--balancer, env STRATA_BALANCER)
                  cluster status           controller, nodes, keyspaces, partitions (balancer and controller views)
                  keyspace create|list|describe|delete ...   (--controller, env STRATA_CONTROLLER)
                  partition split KS PID | transfer-leader KS PID --to NODE
                  controller server FILE   run a controller (config-examples/controller.yml); `check FILE` validates
                  node server FILE         run a storage node (config-examples/node.yml); `check FILE` validates
                  balancer server FILE     run a balancer (config-examples/balancer.yml); `check FILE` validates
                  test [maven args]        (launcher only) run every test of every module
                  help                     this list

                `strata kv`, `strata keyspace` (no arguments) print their options; client commands exit
                0 ok, 1 not found or failed precondition, 2 usage, 3 unavailable or other error.
                """);
    }
}
