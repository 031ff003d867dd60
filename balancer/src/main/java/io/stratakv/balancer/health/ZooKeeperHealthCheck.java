package io.stratakv.balancer.health;

import com.codahale.metrics.health.HealthCheck;
import org.apache.curator.framework.CuratorFramework;

/** Healthy while the ZooKeeper client is connected (the map is then kept current). */
public final class ZooKeeperHealthCheck extends HealthCheck {

    private final CuratorFramework client;

    public ZooKeeperHealthCheck(CuratorFramework client) {
        this.client = client;
    }

    @Override
    protected Result check() {
        return client.getZookeeperClient().isConnected()
                ? Result.healthy("connected to " + client.getZookeeperClient().getCurrentConnectionString())
                : Result.unhealthy("not connected to ZooKeeper: routing from the last map read");
    }
}
