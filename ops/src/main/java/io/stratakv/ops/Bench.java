package io.stratakv.ops;

/** strata bench ... */
final class Bench {
    private Bench() {
    }

    static void main(String[] args) throws Exception {
        if (args.length == 0 || !args[0].equals("engine")) {
            System.err.println("usage: strata bench engine [--keys N] [--out FILE]");
            System.exit(2);
        }
        System.err.println("bench engine: not built yet");
        System.exit(1);
    }
}
