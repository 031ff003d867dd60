package io.stratakv.balancer.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import jakarta.validation.constraints.NotNull;

/**
 * YAML {@code limits:}: checked by the balancer before anything is forwarded, so an oversized
 * request costs no node a byte. Keep them at or below the nodes' own limits.
 */
public class LimitsFactory {

    /** Longest key (decoded bytes): 400 KEY_TOO_LARGE. */
    @NotNull
    private DataSize maxKeySize = DataSize.kibibytes(4);

    /** Longest value: 413 VALUE_TOO_LARGE. */
    @NotNull
    private DataSize maxValueSize = DataSize.mebibytes(1);

    /** Largest declared request body (Content-Length), refused before it is read: 413 BODY_TOO_LARGE. */
    @NotNull
    private DataSize maxBodySize = DataSize.mebibytes(2);

    @JsonProperty
    public DataSize getMaxKeySize() {
        return maxKeySize;
    }

    @JsonProperty
    public void setMaxKeySize(DataSize maxKeySize) {
        this.maxKeySize = maxKeySize;
    }

    @JsonProperty
    public DataSize getMaxValueSize() {
        return maxValueSize;
    }

    @JsonProperty
    public void setMaxValueSize(DataSize maxValueSize) {
        this.maxValueSize = maxValueSize;
    }

    @JsonProperty
    public DataSize getMaxBodySize() {
        return maxBodySize;
    }

    @JsonProperty
    public void setMaxBodySize(DataSize maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    public int maxKeyBytes() {
        return (int) Math.min(Integer.MAX_VALUE, maxKeySize.toBytes());
    }

    public int maxValueBytes() {
        return (int) Math.min(Integer.MAX_VALUE, maxValueSize.toBytes());
    }
}
