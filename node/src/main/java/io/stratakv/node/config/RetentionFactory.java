package io.stratakv.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.stratakv.node.replica.LogRetention;
import jakarta.validation.constraints.NotNull;

/**
 * Log prefix truncation, under {@code replication.retention:} in YAML. A leader truncates its log
 * below what every replica holds; these caps make it truncate anyway (never past what its tables
 * hold), so a replica down for long catches up from a snapshot instead of pinning the log.
 */
public class RetentionFactory {

    /** A leader's log larger than this is truncated up to the tree's flushed offset. */
    @NotNull
    private DataSize maxBytes = DataSize.gibibytes(1);

    /** Entries older than this are truncated (up to the flushed offset) even if a replica still lacks them. */
    @NotNull
    private Duration maxAge = Duration.hours(24);

    /** How often each replica's log start is reconsidered. */
    @NotNull
    private Duration checkInterval = Duration.seconds(10);

    public LogRetention.Settings settings() {
        return new LogRetention.Settings(maxBytes.toBytes(), maxAge.toMilliseconds(), checkInterval.toMilliseconds());
    }

    @JsonProperty
    public DataSize getMaxBytes() {
        return maxBytes;
    }

    @JsonProperty
    public void setMaxBytes(DataSize maxBytes) {
        this.maxBytes = maxBytes;
    }

    @JsonProperty
    public Duration getMaxAge() {
        return maxAge;
    }

    @JsonProperty
    public void setMaxAge(Duration maxAge) {
        this.maxAge = maxAge;
    }

    @JsonProperty
    public Duration getCheckInterval() {
        return checkInterval;
    }

    @JsonProperty
    public void setCheckInterval(Duration checkInterval) {
        this.checkInterval = checkInterval;
    }
}
