package io.stratakv.node.health;

import com.codahale.metrics.health.HealthCheck;
import org.apache.curator.framework.CuratorFramework;

/** Healthy while the ZooKeeper client is connected (a suspended node serves no leader). */
public final class ZooKeeperHealthCheck extends HealthCheck {

    private final CuratorFramework zk;

    public ZooKeeperHealthCheck(CuratorFramework zk) {
        this.zk = zk;
    }

    @Override
    protected Result check() {
        return zk.getZookeeperClient().isConnected() ? Result.healthy()
                : Result.unhealthy("not connected to ZooKeeper");
    }
}
