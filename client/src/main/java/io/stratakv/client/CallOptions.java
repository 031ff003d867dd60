package io.stratakv.client;

import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-call settings; anything not set falls back to the client's defaults (and, for
 * consistencies the client has no default for, to the keyspace's own default on the balancer).
 * Immutable: each {@code with...} returns a copy.
 *
 * <pre>{@code
 * client.get("k", CallOptions.defaults().withRead(ReadConsistency.EVENTUAL).withTimeout(Duration.ofMillis(200)));
 * }</pre>
 */
public final class CallOptions {

    static final java.util.regex.Pattern KEYSPACE_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final CallOptions DEFAULTS = new CallOptions(null, null, null, null);

    private final WriteConsistency write;
    private final ReadConsistency read;
    private final Duration timeout;
    private final String keyspace;

    private CallOptions(WriteConsistency write, ReadConsistency read, Duration timeout, String keyspace) {
        this.write = write;
        this.read = read;
        this.timeout = timeout;
        this.keyspace = keyspace;
    }

    /** No overrides: every setting comes from the client. */
    public static CallOptions defaults() {
        return DEFAULTS;
    }

    public CallOptions withWrite(WriteConsistency c) {
        return new CallOptions(Objects.requireNonNull(c), read, timeout, keyspace);
    }

    public CallOptions withRead(ReadConsistency c) {
        return new CallOptions(write, Objects.requireNonNull(c), timeout, keyspace);
    }

    /** The call's deadline, counted from when the call starts, covering every retry. */
    public CallOptions withTimeout(Duration t) {
        if (t.isNegative() || t.isZero()) {
            throw new IllegalArgumentException("timeout " + t + " must be positive");
        }
        return new CallOptions(write, read, t, keyspace);
    }

    /** Another keyspace than the client's (a name matching {@code [a-z0-9][a-z0-9_-]{0,62}}). */
    public CallOptions withKeyspace(String ks) {
        if (!KEYSPACE_NAME.matcher(Objects.requireNonNull(ks)).matches()) {
            throw new IllegalArgumentException("keyspace '" + ks + "' must match " + KEYSPACE_NAME.pattern());
        }
        return new CallOptions(write, read, timeout, ks);
    }

    public Optional<WriteConsistency> write() {
        return Optional.ofNullable(write);
    }

    public Optional<ReadConsistency> read() {
        return Optional.ofNullable(read);
    }

    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    public Optional<String> keyspace() {
        return Optional.ofNullable(keyspace);
    }
}
