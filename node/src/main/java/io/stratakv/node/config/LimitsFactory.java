package io.stratakv.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/** Request limits of the data API, under {@code limits:} in YAML. */
public class LimitsFactory {

    /** Longer keys answer KEY_TOO_LARGE (400). */
    @NotNull
    private DataSize maxKeySize = DataSize.kibibytes(16);

    /** Longer values answer VALUE_TOO_LARGE (413). */
    @NotNull
    private DataSize maxValueSize = DataSize.mebibytes(4);

    /** Longer request bodies are refused before they are read: BODY_TOO_LARGE (413). */
    @NotNull
    private DataSize maxBodySize = DataSize.mebibytes(5);

    /** Deadline of a QUORUM or ALL write and of a STRONG read when the request sets none. */
    @NotNull
    private Duration requestTimeout = Duration.seconds(5);

    /** Largest deadline a request may ask for with {@code timeoutMs=}. */
    @NotNull
    private Duration maxRequestTimeout = Duration.seconds(30);

    /** More keys in one batchGet/batchPut answer INVALID_ARGUMENT with details reason=too_many_keys. */
    @jakarta.validation.constraints.Min(1)
    private int maxBatchKeys = 1000;

    /** Most entries one scan page returns (limit= may ask fewer); more: INVALID_ARGUMENT reason=limit_too_large. */
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

    public int maxKeyBytes() {
        return Math.toIntExact(maxKeySize.toBytes());
    }

    public int maxValueBytes() {
        return Math.toIntExact(maxValueSize.toBytes());
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

    @JsonProperty
    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    @JsonProperty
    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    @JsonProperty
    public Duration getMaxRequestTimeout() {
        return maxRequestTimeout;
    }

    @JsonProperty
    public void setMaxRequestTimeout(Duration maxRequestTimeout) {
        this.maxRequestTimeout = maxRequestTimeout;
    }
}
