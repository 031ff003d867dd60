package io.stratakv.zk;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * A service's ZooKeeper connection, under {@code zookeeper:} in the YAML of the controller, the
 * node and the balancer alike (one definition, so the three cannot drift).
 */
public class ZooKeeperFactory {

    /** host:port[,host:port...] of the ensemble. */
    @NotEmpty
    private String connect = "127.0.0.1:2181";

    /** Znodes live under /strata/&lt;cluster&gt;. */
    @NotEmpty
    private String cluster = "dev";

    /**
     * How long ZooKeeper keeps an unreachable client's session (and its ephemeral znodes: a node's
     * /nodes/live, a controller's latch). A crashed controller is replaced after about this long;
     * a node leader stops serving at SUSPENDED, which the ZooKeeper client raises after two thirds
     * of this without hearing from the server, so before the session can expire.
     */
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
