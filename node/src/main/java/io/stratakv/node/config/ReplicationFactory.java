package io.stratakv.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;

/** Follower fetching, under {@code replication:} in YAML. */
public class ReplicationFactory {

    /** How long the leader holds a fetch that finds no new records (long poll). */
    @NotNull
    private Duration fetchMaxWait = Duration.milliseconds(500);

    /** Record bytes per fetch answer (at least one record is always sent). */
    @NotNull
    private DataSize fetchMaxSize = DataSize.mebibytes(1);

    /** HTTP timeout of one fetch beyond its long poll; also the pause before retrying a failed one. */
    @NotNull
    private Duration fetchTimeout = Duration.seconds(2);

    /** Full re-read of the partition znodes (the CuratorCache watch is only a hint). */
    @NotNull
    private Duration reconcileInterval = Duration.seconds(5);

    /** Log prefix truncation and its caps. */
    @jakarta.validation.Valid
    @NotNull
    private RetentionFactory retention = new RetentionFactory();

    @JsonProperty
    public RetentionFactory getRetention() {
        return retention;
    }

    @JsonProperty
    public void setRetention(RetentionFactory retention) {
        this.retention = retention;
    }

    @JsonProperty
    public Duration getFetchMaxWait() {
        return fetchMaxWait;
    }

    @JsonProperty
    public void setFetchMaxWait(Duration fetchMaxWait) {
        this.fetchMaxWait = fetchMaxWait;
    }

    @JsonProperty
    public DataSize getFetchMaxSize() {
        return fetchMaxSize;
    }

    @JsonProperty
    public void setFetchMaxSize(DataSize fetchMaxSize) {
        this.fetchMaxSize = fetchMaxSize;
    }

    @JsonProperty
    public Duration getFetchTimeout() {
        return fetchTimeout;
    }

    @JsonProperty
    public void setFetchTimeout(Duration fetchTimeout) {
        this.fetchTimeout = fetchTimeout;
    }

    @JsonProperty
    public Duration getReconcileInterval() {
        return reconcileInterval;
    }

    @JsonProperty
    public void setReconcileInterval(Duration reconcileInterval) {
        this.reconcileInterval = reconcileInterval;
    }
}
