package io.stratakv.balancer.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * YAML {@code health:}: the active health polls of every live node's admin {@code /healthcheck}
 * and the passive latency-outlier mark (balancer/README.md, "Health").
 */
public class HealthFactory {

    /** Poll every live node this often; 0 turns active polling (and outlier marking) off. */
    @NotNull
    private Duration interval = Duration.seconds(1);

    /** One poll's bound (connect + answer). */
    @NotNull
    private Duration timeout = Duration.milliseconds(500);

    /** Failed polls in a row that mark a node down (reads avoid it). */
    @Min(1)
    private int unhealthyAfter = 2;

    /** Good polls in a row that clear the mark. */
    @Min(1)
    private int healthyAfter = 1;

    /** A node whose latency EWMA exceeds this many times the median of the nodes' is slow; 0: off. */
    @DecimalMin("0")
    private double outlierFactor = 3.0;

    /** ...and exceeds this, so that microsecond noise between fast nodes marks nobody. */
    @NotNull
    private Duration outlierFloor = Duration.milliseconds(20);

    @JsonProperty
    public Duration getInterval() {
        return interval;
    }

    @JsonProperty
    public void setInterval(Duration interval) {
        this.interval = interval;
    }

    @JsonProperty
    public Duration getTimeout() {
        return timeout;
    }

    @JsonProperty
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    @JsonProperty
    public int getUnhealthyAfter() {
        return unhealthyAfter;
    }

    @JsonProperty
    public void setUnhealthyAfter(int unhealthyAfter) {
        this.unhealthyAfter = unhealthyAfter;
    }

    @JsonProperty
    public int getHealthyAfter() {
        return healthyAfter;
    }

    @JsonProperty
    public void setHealthyAfter(int healthyAfter) {
        this.healthyAfter = healthyAfter;
    }

    @JsonProperty
    public double getOutlierFactor() {
        return outlierFactor;
    }

    @JsonProperty
    public void setOutlierFactor(double outlierFactor) {
        this.outlierFactor = outlierFactor;
    }

    @JsonProperty
    public Duration getOutlierFloor() {
        return outlierFloor;
    }

    @JsonProperty
    public void setOutlierFloor(Duration outlierFloor) {
        this.outlierFloor = outlierFloor;
    }
}
