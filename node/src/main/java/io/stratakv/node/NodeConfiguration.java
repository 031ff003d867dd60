package io.stratakv.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.stratakv.node.config.LimitsFactory;
import io.stratakv.node.config.ReplicationFactory;
import io.stratakv.node.config.StorageFactory;
import io.stratakv.zk.ZooKeeperFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

/**
 * YAML configuration of a storage node; every field has a default (config-examples/node.yml).
 *
 * <p>Ports: the data API ({@code /v1/kv}) and the internal API ({@code /internal/v1}: fetch,
 * fence, status) share the first application connector, whose bound port the node registers as
 * both its dataPort and its internalPort; the admin connector serves health checks and metrics.
 */
public class NodeConfiguration extends Configuration {

    /** Unique in the cluster and stable across restarts (it names the node's znodes). */
    @NotEmpty
    private String nodeId = "node-1";

    /** Failure domain; placement spreads a partition's replicas across racks. Empty: none. */
    private String rack = "";

    /** Where partitions live: dataDir/&lt;keyspace&gt;/&lt;pid&gt;, plus the incarnation counter. */
    @NotEmpty
    private String dataDir = "data/node-1";

    /** The host other nodes, controllers and balancers use to reach this node. */
    @NotEmpty
    private String advertisedHost = "127.0.0.1";

    @Valid
    @NotNull
    private ZooKeeperFactory zookeeper = new ZooKeeperFactory();

    @Valid
    @NotNull
    private StorageFactory storage = new StorageFactory();

    @Valid
    @NotNull
    private LimitsFactory limits = new LimitsFactory();

    @Valid
    @NotNull
    private ReplicationFactory replication = new ReplicationFactory();

    @JsonProperty
    public String getNodeId() {
        return nodeId;
    }

    @JsonProperty
    public void setNodeId(String nodeId) {
        this.nodeId = nodeId;
    }

    @JsonProperty
    public String getRack() {
        return rack;
    }

    @JsonProperty
    public void setRack(String rack) {
        this.rack = rack;
    }

    @JsonProperty
    public String getDataDir() {
        return dataDir;
    }

    @JsonProperty
    public void setDataDir(String dataDir) {
        this.dataDir = dataDir;
    }

    @JsonProperty
    public String getAdvertisedHost() {
        return advertisedHost;
    }

    @JsonProperty
    public void setAdvertisedHost(String advertisedHost) {
        this.advertisedHost = advertisedHost;
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
    public StorageFactory getStorage() {
        return storage;
    }

    @JsonProperty
    public void setStorage(StorageFactory storage) {
        this.storage = storage;
    }

    @JsonProperty
    public LimitsFactory getLimits() {
        return limits;
    }

    @JsonProperty
    public void setLimits(LimitsFactory limits) {
        this.limits = limits;
    }

    @JsonProperty
    public ReplicationFactory getReplication() {
        return replication;
    }

    @JsonProperty
    public void setReplication(ReplicationFactory replication) {
        this.replication = replication;
    }
}
