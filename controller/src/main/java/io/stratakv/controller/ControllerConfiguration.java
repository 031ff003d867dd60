package io.stratakv.controller;

import io.stratakv.zk.ZooKeeperFactory;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.stratakv.controller.rebalance.MovesConfiguration;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

/** YAML configuration of a controller; every field has a default (config-examples/controller.yml). */
public class ControllerConfiguration extends Configuration {

    /** Unique among controllers; shown in /controller/epoch while this one is active. */
    @NotEmpty
    private String controllerId = "controller-1";

    @Valid
    @NotNull
    private ZooKeeperFactory zookeeper = new ZooKeeperFactory();

    /** How often the active controller re-reads ZooKeeper in full (watches are only hints). */
    @NotNull
    private Duration reconcileInterval = Duration.seconds(5);

    /** How often each live node's health endpoint is polled. */
    @NotNull
    private Duration healthPollInterval = Duration.seconds(2);

    /** A node failing health polls this long (while its ephemeral znode lives) is DOWN. */
    @NotNull
    private Duration healthGracePeriod = Duration.seconds(10);

    /** Timeout of one HTTP call to a node (health, fence, status). */
    @NotNull
    private Duration nodeRequestTimeout = Duration.seconds(2);

    /** Whether the active controller moves leadership back to each partition's preferred replica (replicas[0]). */
    private boolean leaderBalancing = true;

    /** At most this many leader-balancing transfers per control-loop pass. */
    @Min(0)
    private int maxLeaderTransfersPerPass = 2;

    /** How long a leader waits for the target of a planned transfer to catch up (writes pause meanwhile). */
    @NotNull
    private Duration leaderTransferTimeout = Duration.seconds(3);

    /** After a balancing transfer of a partition failed, do not try that partition again for this long. */
    @NotNull
    private Duration leaderBalancingBackoff = Duration.seconds(30);

    @Valid
    @NotNull
    private DefaultKeyspace defaultKeyspace = new DefaultKeyspace();

    /** Replica moves, rebalancing and decommissioning. */
    @Valid
    @NotNull
    private MovesConfiguration moves = new MovesConfiguration();

    /** Partition splits: automatic requests and completion. */
    @Valid
    @NotNull
    private io.stratakv.controller.rebalance.SplitsConfiguration splits = new io.stratakv.controller.rebalance.SplitsConfiguration();

    @JsonProperty
    public io.stratakv.controller.rebalance.SplitsConfiguration getSplits() {
        return splits;
    }

    @JsonProperty
    public void setSplits(io.stratakv.controller.rebalance.SplitsConfiguration splits) {
        this.splits = splits;
    }

    /** The keyspace created when a cluster is bootstrapped (set partitions to 0 to skip). */
    public static class DefaultKeyspace {
        @NotEmpty
        private String name = "default";
        @Min(0)
        private int partitions = 8;
        @Min(1)
        private int replicationFactor = 3;

        @JsonProperty
        public String getName() {
            return name;
        }

        @JsonProperty
        public void setName(String name) {
            this.name = name;
        }

        @JsonProperty
        public int getPartitions() {
            return partitions;
        }

        @JsonProperty
        public void setPartitions(int partitions) {
            this.partitions = partitions;
        }

        @JsonProperty
        public int getReplicationFactor() {
            return replicationFactor;
        }

        @JsonProperty
        public void setReplicationFactor(int replicationFactor) {
            this.replicationFactor = replicationFactor;
        }
    }

    @JsonProperty
    public String getControllerId() {
        return controllerId;
    }

    @JsonProperty
    public void setControllerId(String controllerId) {
        this.controllerId = controllerId;
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
    public Duration getHealthPollInterval() {
        return healthPollInterval;
    }

    @JsonProperty
    public void setHealthPollInterval(Duration healthPollInterval) {
        this.healthPollInterval = healthPollInterval;
    }

    @JsonProperty
    public Duration getHealthGracePeriod() {
        return healthGracePeriod;
    }

    @JsonProperty
    public void setHealthGracePeriod(Duration healthGracePeriod) {
        this.healthGracePeriod = healthGracePeriod;
    }

    @JsonProperty
    public Duration getNodeRequestTimeout() {
        return nodeRequestTimeout;
    }

    @JsonProperty
    public void setNodeRequestTimeout(Duration nodeRequestTimeout) {
        this.nodeRequestTimeout = nodeRequestTimeout;
    }

    @JsonProperty
    public MovesConfiguration getMoves() {
        return moves;
    }

    @JsonProperty
    public void setMoves(MovesConfiguration moves) {
        this.moves = moves;
    }

    @JsonProperty
    public boolean isLeaderBalancing() {
        return leaderBalancing;
    }

    @JsonProperty
    public void setLeaderBalancing(boolean leaderBalancing) {
        this.leaderBalancing = leaderBalancing;
    }

    @JsonProperty
    public int getMaxLeaderTransfersPerPass() {
        return maxLeaderTransfersPerPass;
    }

    @JsonProperty
    public void setMaxLeaderTransfersPerPass(int maxLeaderTransfersPerPass) {
        this.maxLeaderTransfersPerPass = maxLeaderTransfersPerPass;
    }

    @JsonProperty
    public Duration getLeaderTransferTimeout() {
        return leaderTransferTimeout;
    }

    @JsonProperty
    public void setLeaderTransferTimeout(Duration leaderTransferTimeout) {
        this.leaderTransferTimeout = leaderTransferTimeout;
    }

    @JsonProperty
    public Duration getLeaderBalancingBackoff() {
        return leaderBalancingBackoff;
    }

    @JsonProperty
    public void setLeaderBalancingBackoff(Duration leaderBalancingBackoff) {
        this.leaderBalancingBackoff = leaderBalancingBackoff;
    }

    @JsonProperty
    public DefaultKeyspace getDefaultKeyspace() {
        return defaultKeyspace;
    }

    @JsonProperty
    public void setDefaultKeyspace(DefaultKeyspace defaultKeyspace) {
        this.defaultKeyspace = defaultKeyspace;
    }
}
