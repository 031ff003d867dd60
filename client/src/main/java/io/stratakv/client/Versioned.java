package io.stratakv.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key's value and its version. The version is the log offset of the write that last set the
 * key (never 0 for a live value); pass it to {@link StrataClient#compareAndSet} to change the
 * value only if nobody else did in between.
 */
public record Versioned(byte[] value, long version) {

    public Versioned {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value decoded as UTF-8. */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Versioned v && v.version == version && Arrays.equals(v.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(value) + Long.hashCode(version);
    }

    @Override
    public String toString() {
        return "Versioned[version=" + version + ", " + value.length + " bytes]";
    }
}
