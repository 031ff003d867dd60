package io.stratakv.ops.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command line of the client commands: positional words and {@code --name value} (or
 * {@code --name=value}) options. Every option takes a value; an option the command does not know
 * is a usage error (exit 2), never silently ignored.
 */
final class CliArgs {

    private final List<String> positional;
    private final Map<String, String> options;

    private CliArgs(List<String> positional, Map<String, String> options) {
        this.positional = positional;
        this.options = options;
    }

    static CliArgs parse(String[] args, Set<String> known) {
        List<String> pos = new ArrayList<>();
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && a.length() > 2) {
                String name;
                String value;
                int eq = a.indexOf('=');
                if (eq > 0) {
                    name = a.substring(2, eq);
                    value = a.substring(eq + 1);
                } else {
                    name = a.substring(2);
                    if (i + 1 >= args.length) {
                        throw new CliException.Usage("option --" + name + " needs a value");
                    }
                    value = args[++i];
                }
                if (!known.contains(name)) {
                    throw new CliException.Usage("unknown option --" + name + " (known: "
                            + (known.isEmpty() ? "none" : "--" + String.join(", --", known)) + ")");
                }
                if (opts.put(name, value) != null) {
                    throw new CliException.Usage("option --" + name + " given twice");
                }
            } else {
                pos.add(a);
            }
        }
        return new CliArgs(List.copyOf(pos), opts);
    }

    List<String> positional() {
        return positional;
    }

    /** The positional word at i, or a usage error naming what is missing. */
    String word(int i, String what) {
        if (i >= positional.size()) {
            throw new CliException.Usage("missing " + what);
        }
        return positional.get(i);
    }

    void expectWords(int n) {
        if (positional.size() > n) {
            throw new CliException.Usage("unexpected argument '" + positional.get(n) + "'");
        }
    }

    Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    int intOption(String name, int dflt, int min) {
        String v = options.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min) {
                throw new CliException.Usage("--" + name + " must be at least " + min + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CliException.Usage("--" + name + " must be a number, got '" + v + "'");
        }
    }

    long longOption(String name, long dflt, long min) {
        String v = options.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v);
            if (n < min) {
                throw new CliException.Usage("--" + name + " must be at least " + min + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CliException.Usage("--" + name + " must be a number, got '" + v + "'");
        }
    }
}
