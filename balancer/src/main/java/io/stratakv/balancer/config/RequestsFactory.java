package io.stratakv.balancer.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/**
 * YAML {@code requests:}: each public request's deadline and the backoff between its retries.
 * A client may ask for its own deadline with {@code timeoutMs=} up to {@link #maxTimeout}.
 */
public class RequestsFactory {

    /** Deadline of a request that names none: every retry happens within it. */
    @NotNull
    private Duration defaultTimeout = Duration.seconds(5);

    /** The largest {@code timeoutMs} a client may ask for. */
    @NotNull
    private Duration maxTimeout = Duration.seconds(30);

    /** First retry waits up to this (with jitter); each next one doubles it. */
    @NotNull
    private Duration backoffBase = Duration.milliseconds(20);

    /** Cap of one backoff wait. */
    @NotNull
    private Duration backoffMax = Duration.seconds(1);

    @JsonProperty
    public Duration getDefaultTimeout() {
        return defaultTimeout;
    }

    @JsonProperty
    public void setDefaultTimeout(Duration defaultTimeout) {
        this.defaultTimeout = defaultTimeout;
    }

    @JsonProperty
    public Duration getMaxTimeout() {
        return maxTimeout;
    }

    @JsonProperty
    public void setMaxTimeout(Duration maxTimeout) {
        this.maxTimeout = maxTimeout;
    }

    @JsonProperty
    public Duration getBackoffBase() {
        return backoffBase;
    }

    @JsonProperty
    public void setBackoffBase(Duration backoffBase) {
        this.backoffBase = backoffBase;
    }

    @JsonProperty
    public Duration getBackoffMax() {
        return backoffMax;
    }

    @JsonProperty
    public void setBackoffMax(Duration backoffMax) {
        this.backoffMax = backoffMax;
    }
}
