package io.stratakv.controller.rebalance;

import io.stratakv.controller.core.AdminException;
import io.stratakv.controller.core.ControllerLeadership;
import io.stratakv.zk.InvalidNameException;
import io.stratakv.zk.ZkNames;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.fence.ControllerFence;
import io.stratakv.zk.fence.FencedOutException;
import io.stratakv.zk.fence.FencedWrite;
import io.stratakv.zk.fence.FencedWriteException;
import io.stratakv.zk.fence.NoZNodeException;
import io.stratakv.zk.fence.VersionConflictException;
import io.stratakv.zk.fence.ZNodeExistsException;


/** What the admin operations of moves and splits share: the active-controller gate, names, commits. */
final class AdminWrites {

    private AdminWrites() {
    }

    static ControllerFence requireActive(ControllerLeadership leadership) {
        ControllerFence fence = leadership.fence();
        if (fence == null) {
            throw new AdminException(ErrorCode.NOT_ACTIVE_CONTROLLER,
                    "this controller is " + leadership.state() + "; send admin requests to the active controller");
        }
        return fence;
    }

    static String nodeId(String text) {
        try {
            return ZkNames.requireNodeId(text);
        } catch (InvalidNameException e) {
            throw new AdminException(e.code(), e.getMessage());
        }
    }

    static String keyspace(String text) {
        try {
            return ZkNames.requireKeyspace(text);
        } catch (InvalidNameException e) {
            throw new AdminException(e.code(), e.getMessage());
        }
    }

    static int partitionId(String text) {
        try {
            return ZkNames.parsePartitionId(text);
        } catch (InvalidNameException e) {
            throw new AdminException(e.code(), e.getMessage());
        }
    }

    /** Commits, mapping failures to admin errors; a fenced-out controller steps down. */
    static FencedWrite.Committed commit(FencedWrite w, ControllerLeadership leadership) throws Exception {
        try {
            return w.commit();
        } catch (FencedOutException e) {
            leadership.fencedOut();
            throw new AdminException(ErrorCode.NOT_ACTIVE_CONTROLLER, "this controller was deposed: " + e.getMessage());
        } catch (VersionConflictException | ZNodeExistsException | NoZNodeException e) {
            throw new AdminException(ErrorCode.CONCURRENT_MODIFICATION, e.getMessage() + "; retry");
        } catch (FencedWriteException e) {
            throw new AdminException(ErrorCode.ZOOKEEPER_UNAVAILABLE, e.getMessage());
        }
    }
}
