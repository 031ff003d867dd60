package io.stratakv.controller.rebalance;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/** YAML under {@code splits:} (controller/README.md, "Splits"). */
public class SplitsConfiguration {

    /**
     * A partition whose leader reports at least this many bytes on disk (log + LSM tables, the
     * {@code sizeBytes} of its status) is split automatically, one partition per keyspace at a
     * time. {@code 0} (the default) turns automatic splits off; admin split requests still work.
     */
    @NotNull
    private DataSize autoSplitBytes = DataSize.bytes(0);

    /**
     * A split completes once every voter of the partition reports that it split its state. If only
     * a majority has after this long, it completes with that majority: the others' child replicas
     * then start empty and catch up from the children's leaders (by snapshot).
     */
    @NotNull
    private Duration completeWithMajorityAfter = Duration.seconds(60);

    @JsonProperty
    public DataSize getAutoSplitBytes() {
        return autoSplitBytes;
    }

    @JsonProperty
    public void setAutoSplitBytes(DataSize autoSplitBytes) {
        this.autoSplitBytes = autoSplitBytes;
    }

    @JsonProperty
    public Duration getCompleteWithMajorityAfter() {
        return completeWithMajorityAfter;
    }

    @JsonProperty
    public void setCompleteWithMajorityAfter(Duration completeWithMajorityAfter) {
        this.completeWithMajorityAfter = completeWithMajorityAfter;
    }
}
