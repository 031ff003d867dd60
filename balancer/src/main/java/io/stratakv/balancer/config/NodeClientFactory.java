package io.stratakv.balancer.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * YAML {@code nodeClient:}: the pooled keep-alive HTTP/1.1 connections to storage nodes (JDK
 * HttpClient) and the passive health of each node.
 */
public class NodeClientFactory {

    @NotNull
    private Duration connectTimeout = Duration.seconds(1);

    /**
     * Requests in flight to one node at once. Each needs its own HTTP/1.1 connection, so this is
     * also the most pooled connections per node; a request that finds none free waits (within its
     * deadline).
     */
    @Min(1)
    private int maxConnectionsPerNode = 64;

    /** Consecutive failures (connection errors, timeouts, 5xx other than 503) that make a node suspect. */
    @Min(1)
    private int suspectAfterFailures = 3;

    /** How long a suspect node is avoided by reads that have another replica (a leader is still tried). */
    @NotNull
    private Duration suspectFor = Duration.seconds(5);

    @JsonProperty
    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    @JsonProperty
    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    @JsonProperty
    public int getMaxConnectionsPerNode() {
        return maxConnectionsPerNode;
    }

    @JsonProperty
    public void setMaxConnectionsPerNode(int maxConnectionsPerNode) {
        this.maxConnectionsPerNode = maxConnectionsPerNode;
    }

    @JsonProperty
    public int getSuspectAfterFailures() {
        return suspectAfterFailures;
    }

    @JsonProperty
    public void setSuspectAfterFailures(int suspectAfterFailures) {
        this.suspectAfterFailures = suspectAfterFailures;
    }

    @JsonProperty
    public Duration getSuspectFor() {
        return suspectFor;
    }

    @JsonProperty
    public void setSuspectFor(Duration suspectFor) {
        this.suspectFor = suspectFor;
    }
}
