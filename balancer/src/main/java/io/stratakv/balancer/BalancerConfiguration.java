package io.stratakv.balancer;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.util.Duration;
import io.stratakv.balancer.config.HealthFactory;
import io.stratakv.balancer.config.LimitsFactory;
import io.stratakv.balancer.config.NodeClientFactory;
import io.stratakv.balancer.config.RequestsFactory;
import io.stratakv.zk.ZooKeeperFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** YAML configuration of a balancer; every field has a default (config-examples/balancer.yml). */
public class BalancerConfiguration extends Configuration {

    @Valid
    @NotNull
    private ZooKeeperFactory zookeeper = new ZooKeeperFactory();

    /** How often the partition map is re-read from ZooKeeper in full (the cache's watches are only hints). */
    @NotNull
    private Duration reconcileInterval = Duration.seconds(5);

    @Valid
    @NotNull
    private RequestsFactory requests = new RequestsFactory();

    @Valid
    @NotNull
    private NodeClientFactory nodeClient = new NodeClientFactory();

    @Valid
    @NotNull
    private LimitsFactory limits = new LimitsFactory();

    @Valid
    @NotNull
    private HealthFactory health = new HealthFactory();

    @JsonProperty
    public HealthFactory getHealth() {
        return health;
    }

    @JsonProperty
    public void setHealth(HealthFactory health) {
        this.health = health;
    }

    @JsonProperty
    public ZooKeeperFactory getZookeeper() {
        return zookeeper;
    }

    @JsonProperty
    public void setZookeeper(ZooKeeperFactory zookeeper) {
        this.zookeeper = zookeeper;
    }

    @JsonProperty
    public Duration getReconcileInterval() {
        return reconcileInterval;
    }

    @JsonProperty
    public void setReconcileInterval(Duration reconcileInterval) {
        this.reconcileInterval = reconcileInterval;
    }

    @JsonProperty
    public RequestsFactory getRequests() {
        return requests;
    }

    @JsonProperty
    public void setRequests(RequestsFactory requests) {
        this.requests = requests;
    }

    @JsonProperty
    public NodeClientFactory getNodeClient() {
        return nodeClient;
    }

    @JsonProperty
    public void setNodeClient(NodeClientFactory nodeClient) {
        this.nodeClient = nodeClient;
    }

    @JsonProperty
    public LimitsFactory getLimits() {
        return limits;
    }

    @JsonProperty
    public void setLimits(LimitsFactory limits) {
        this.limits = limits;
    }
}
