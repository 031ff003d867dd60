package io.stratakv.ops;

import java.util.Arrays;

/** The one entry point of the strata jar: dispatches subcommands. */
public final class Strata {

    private Strata() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            usage();
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "bench" -> Bench.main(rest);
            default -> {
                System.err.println("strata: unknown command '" + args[0] + "'");
                usage();
                System.exit(2);
            }
        }
    }

    static void usage() {
        System.out.println("""
                usage: strata <command> [options]

                commands:
                  bench engine [--keys N] [--out FILE] [--workloads a,b,...]
                                 db_bench-style workloads against StrataKV's engine and RocksDB
                  test           (launcher only) run every test: unit and integration
                """);
    }
}
