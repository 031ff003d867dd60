package io.stratakv.balancer.routing;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SESSION positions a client holds for one keyspace, from its {@code X-Strata-Session} header:
 * {@code <pid>=<epoch>:<offset>[,<pid>=<epoch>:<offset>...]} (balancer/README.md, "SESSION tokens").
 * A read of a key in partition P forwards P's position to the node as {@code X-Strata-Position};
 * a partition the client holds no position for is read at the leader. Immutable.
 */
public record SessionTokens(Map<Integer, String> byPartition) {

    public static final SessionTokens NONE = new SessionTokens(Map.of());
    /** A client holds at most one position per partition; more entries than this is not a real client. */
    static final int MAX_ENTRIES = 4096;

    public SessionTokens {
        byPartition = Collections.unmodifiableMap(new TreeMap<>(byPartition));
    }

    /** The position to forward for partition {@code pid}, or null. */
    public String forPartition(int pid) {
        return byPartition.get(pid);
    }

    public boolean isEmpty() {
        return byPartition.isEmpty();
    }

    /**
     * Parses the header; null or blank is {@link #NONE}. Throws IllegalArgumentException (with a
     * message for the client) on anything else that is not the documented form. For a partition named
     * twice the larger offset wins (the client merged two answers).
     */
    public static SessionTokens parse(String header) {
        if (header == null || header.isBlank()) {
            return NONE;
        }
        Map<Integer, String> out = new TreeMap<>();
        String[] parts = header.split(",", -1);
        if (parts.length > MAX_ENTRIES) {
            throw new IllegalArgumentException("X-Strata-Session names more than " + MAX_ENTRIES + " partitions");
        }
        for (String raw : parts) {
            String part = raw.trim();
            int eq = part.indexOf('=');
            int colon = part.indexOf(':', eq + 1);
            if (eq <= 0 || colon < 0) {
                throw new IllegalArgumentException("X-Strata-Session entry '" + part + "' is not <pid>=<epoch>:<offset>");
            }
            int pid;
            long epoch;
            long offset;
            try {
                pid = Integer.parseInt(part.substring(0, eq));
                epoch = Long.parseLong(part.substring(eq + 1, colon));
                offset = Long.parseLong(part.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("X-Strata-Session entry '" + part + "' is not <pid>=<epoch>:<offset>");
            }
            if (pid < 0 || epoch < 0 || offset < 0) {
                throw new IllegalArgumentException("X-Strata-Session entry '" + part + "' has a negative number");
            }
            String pos = epoch + ":" + offset;
            out.merge(pid, pos, (a, b) -> offset(a) >= offset(b) ? a : b);
        }
        return new SessionTokens(out);
    }

    private static long offset(String position) {
        return Long.parseLong(position.substring(position.indexOf(':') + 1));
    }

    /** The header form, partitions in ascending order. */
    public static String format(Map<Integer, String> positions) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(positions).forEach((pid, pos) -> {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(pid).append('=').append(pos);
        });
        return b.toString();
    }
}
