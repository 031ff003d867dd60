package io.stratakv.client;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client's read-your-writes state: per keyspace, per partition, the largest log position of
 * a write this client saw acknowledged. SESSION reads send it as
 * {@code X-Strata-Session: <pid>=<epoch>:<offset>,...}; a replica that has applied the position of
 * the key's partition may answer, else the leader does. Thread-safe; positions only grow.
 */
final class SessionTokens {

    static final String HEADER = "X-Strata-Session";

    private final Map<String, Map<Integer, Position>> byKeyspace = new ConcurrentHashMap<>();

    /** Remembers a write's position if it is newer than what this partition has. */
    void observe(String keyspace, int partition, Position position) {
        if (partition < 0) {
            return;
        }
        byKeyspace.computeIfAbsent(keyspace, k -> new ConcurrentHashMap<>())
                .merge(partition, position, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }

    /** The header value for a keyspace, partitions in id order; empty before its first write. */
    Optional<String> header(String keyspace) {
        Map<Integer, Position> m = byKeyspace.get(keyspace);
        if (m == null || m.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Integer, Position> e : new TreeMap<>(m).entrySet()) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return Optional.of(sb.toString());
    }

    /** A copy of one keyspace's positions, by partition. */
    Map<Integer, Position> snapshot(String keyspace) {
        Map<Integer, Position> m = byKeyspace.get(keyspace);
        return m == null ? Map.of() : Map.copyOf(m);
    }
}
