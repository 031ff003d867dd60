package io.stratakv.balancer.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** The ZooKeeper connection, YAML {@code zookeeper:} (same keys as the controller's and the node's). */
public class ZooKeeperFactory {

    /** host:port[,host:port...] of the ensemble. */
    @NotEmpty
    private String connect = "127.0.0.1:2181";

    /** Name of the cluster; znodes live under /strata/&lt;cluster&gt;. */
    @NotEmpty
    private String cluster = "dev";

    /** The balancer holds no ephemeral znodes, so this only bounds how long a partitioned balancer keeps its session. */
    @NotNull
    private Duration sessionTimeout = Duration.seconds(10);

    @NotNull
    private Duration connectionTimeout = Duration.seconds(5);

    @JsonProperty
    public String getConnect() {
        return connect;
    }

    @JsonProperty
    public void setConnect(String connect) {
        this.connect = connect;
    }

    @JsonProperty
    public String getCluster() {
        return cluster;
    }

    @JsonProperty
    public void setCluster(String cluster) {
        this.cluster = cluster;
    }

    @JsonProperty
    public Duration getSessionTimeout() {
        return sessionTimeout;
    }

    @JsonProperty
    public void setSessionTimeout(Duration sessionTimeout) {
        this.sessionTimeout = sessionTimeout;
    }

    @JsonProperty
    public Duration getConnectionTimeout() {
        return connectionTimeout;
    }

    @JsonProperty
    public void setConnectionTimeout(Duration connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    /** A new, unstarted client. */
    public CuratorFramework build() {
        return CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs((int) sessionTimeout.toMilliseconds())
                .connectionTimeoutMs((int) connectionTimeout.toMilliseconds())
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 2_000))
                .build();
    }
}
