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

    /** Most items in one batch (all partitions together): 400 INVALID_ARGUMENT reason too_many_keys. */
    @jakarta.validation.constraints.Min(1)
    private int maxBatchKeys = 1000;

    /** Largest scan limit= (and page asked of a node): keep at or below the nodes' limits.maxScanLimit. */
    @jakarta.validation.constraints.Min(1)
    private int maxScanLimit = 1000;

    @JsonProperty
    public int getMaxBatchKeys() {
        return maxBatchKeys;
    }

    @JsonProperty
    public void setMaxBatchKeys(int maxBatchKeys) {
        this.maxBatchKeys = maxBatchKeys;
    }

    @JsonProperty
    public int getMaxScanLimit() {
        return maxScanLimit;
    }

    @JsonProperty
    public void setMaxScanLimit(int maxScanLimit) {
        this.maxScanLimit = maxScanLimit;
    }

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
