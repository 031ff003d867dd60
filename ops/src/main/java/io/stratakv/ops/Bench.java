package io.stratakv.ops;

import io.stratakv.ops.bench.EngineBench;

/** {@code strata bench <benchmark> ...}: dispatches to the benchmarks. */
final class Bench {

    static final String USAGE = "usage: strata bench engine [options]   (strata bench engine --help lists them)\n"
            + "       strata bench cluster --workload a..f [options]   (strata bench cluster --help lists them)";

    private Bench() {
    }

    /** Runs the benchmark named by args[0]; returns the exit code. */
    static int run(String[] args) {
        if (args.length == 0) {
            System.err.println(USAGE);
            return 2;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "engine" -> EngineBench.main(rest, System.out, System.err);
            case "cluster" -> io.stratakv.ops.cli.ClusterBench.main(rest, System.out, System.err, System.getenv());
            case "-h", "--help", "help" -> {
                System.out.println(USAGE);
                yield 0;
            }
            default -> {
                System.err.println("strata bench: unknown benchmark '" + args[0] + "'");
                System.err.println(USAGE);
                yield 2;
            }
        };
    }
}
