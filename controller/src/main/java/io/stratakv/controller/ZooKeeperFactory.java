package io.stratakv.controller;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** The ZooKeeper connection, as configured in YAML under {@code zookeeper:}. */
public class ZooKeeperFactory {

    /** host:port[,host:port...] of the ensemble. */
    @NotEmpty
    private String connect = "127.0.0.1:2181";

    /**
     * Session timeout: how long ZooKeeper keeps an unreachable client's session (and its ephemeral
     * znodes). Failover takes at least this long after a crash.
     */
    @NotNull
    private Duration sessionTimeout = Duration.seconds(10);

    @NotNull
    private Duration connectionTimeout = Duration.seconds(5);

    /** Name of the cluster; znodes live under /strata/&lt;cluster&gt;. */
    @NotEmpty
    private String cluster = "dev";

    @JsonProperty
    public String getConnect() {
        return connect;
    }

    @JsonProperty
    public void setConnect(String connect) {
        this.connect = connect;
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

    @JsonProperty
    public String getCluster() {
        return cluster;
    }

    @JsonProperty
    public void setCluster(String cluster) {
        this.cluster = cluster;
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
