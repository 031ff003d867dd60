package io.stratakv.zk.records;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/** Argument checks shared by the record constructors; the messages name the field. */
final class Checks {
    private Checks() {
    }

    static <T> T present(T value, String field) {
        return Objects.requireNonNull(value, () -> field + " is required");
    }

    static String notBlank(String value, String field) {
        present(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        return value;
    }

    static int port(int port, String field) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(field + " " + port + " is not a TCP port (1..65535)");
        }
        return port;
    }

    static long nonNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " " + value + " is negative");
        }
        return value;
    }

    static <T> List<T> distinct(List<T> values, String field) {
        List<T> copy = List.copyOf(present(values, field));
        if (new HashSet<>(copy).size() != copy.size()) {
            throw new IllegalArgumentException(field + " " + copy + " has duplicates");
        }
        return copy;
    }
}
