package io.stratakv.ops.zookeeper;

/** A ZooKeeper configuration that cannot run; the message says what to change. */
public final class ZooKeeperConfigException extends Exception {

    public ZooKeeperConfigException(String message) {
        super(message);
    }
}
