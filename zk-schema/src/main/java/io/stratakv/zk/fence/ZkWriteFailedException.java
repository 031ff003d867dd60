package io.stratakv.zk.fence;

import org.apache.zookeeper.KeeperException;

/**
 * Any other failure of the multi: a ZooKeeper error that is not a version, existence or fencing
 * problem (a delete of a znode with children, an ACL refusal, a lost connection or session).
 */
public final class ZkWriteFailedException extends FencedWriteException {

    private final KeeperException.Code code;

    public ZkWriteFailedException(String path, KeeperException.Code code, Throwable cause) {
        super(path, "ZooKeeper multi failed" + (path == null ? "" : " at " + path) + ": " + code
                + (outcomeUnknown(code) ? " (the write may or may not have committed; reread before acting)" : ""),
                cause);
        this.code = code;
    }

    /** ZooKeeper's error code (SYSTEMERROR when the failure was not a ZooKeeper error). */
    public KeeperException.Code code() {
        return code;
    }

    /**
     * Whether the multi may have committed: the connection was lost or the operation timed out
     * after it was sent. Reread before acting.
     */
    public boolean outcomeUnknown() {
        return outcomeUnknown(code);
    }

    private static boolean outcomeUnknown(KeeperException.Code code) {
        return code == KeeperException.Code.CONNECTIONLOSS || code == KeeperException.Code.OPERATIONTIMEOUT
                || code == KeeperException.Code.SYSTEMERROR;
    }
}
