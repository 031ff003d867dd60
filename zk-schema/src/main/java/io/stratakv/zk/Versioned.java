package io.stratakv.zk;

import java.util.Objects;

/**
 * A decoded znode value with the znode's data version ({@code Stat.getVersion()}) it was read at:
 * what a compare-and-set update must name.
 */
public record Versioned<T>(T value, int version) {
    public Versioned {
        Objects.requireNonNull(value, "value");
        if (version < 0) {
            throw new IllegalArgumentException("znode version " + version + " is negative");
        }
    }
}
