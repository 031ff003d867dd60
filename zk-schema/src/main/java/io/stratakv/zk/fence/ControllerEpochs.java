package io.stratakv.zk.fence;

import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.ZkNames;
import io.stratakv.zk.records.ControllerEpochRecord;
import io.stratakv.zk.records.ZkCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.time.Clock;
import java.util.Optional;

/**
 * Reads and bumps {@code /controller/epoch}.
 *
 * <p>{@link #bump} is a compare-and-set loop: it reads the epoch and its znode version, then
 * writes epoch + 1 conditional on that version (or creates the znode at epoch 1 if it is absent).
 * Two concurrent bumps can never hand out the same epoch: one of the two conditional writes
 * fails and retries on a fresh read. A controller calls it once, after winning the leader latch
 * and before acting, and fences every later write on the version it returns.
 */
public final class ControllerEpochs {

    /** A bump that loses this many races in a row gives up: something is bumping in a loop. */
    private static final int MAX_ATTEMPTS = 1000;

    private ControllerEpochs() {
    }

    /** The current controller epoch with its znode version; empty if no controller ever became active. */
    public static Optional<Versioned<ControllerEpochRecord>> read(CuratorFramework client, ZkLayout layout)
            throws Exception {
        return ZkCodec.read(client, layout.controllerEpoch(), ControllerEpochRecord.class);
    }

    /** {@link #bump(CuratorFramework, ZkLayout, String, Clock)} with the system clock. */
    public static ControllerFence bump(CuratorFramework client, ZkLayout layout, String controllerId)
            throws Exception {
        return bump(client, layout, controllerId, Clock.systemUTC());
    }

    /**
     * Makes {@code controllerId} the holder of the next controller epoch and returns the fence for
     * its writes. Creates {@code /controller/epoch} (and missing parents) at epoch 1 if absent.
     */
    public static ControllerFence bump(CuratorFramework client, ZkLayout layout, String controllerId, Clock clock)
            throws Exception {
        ZkNames.requireNodeId(controllerId);
        String path = layout.controllerEpoch();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<Versioned<ControllerEpochRecord>> current = read(client, layout);
            if (current.isEmpty()) {
                ControllerEpochRecord first = ControllerEpochRecord.of(1, controllerId, clock.instant());
                try {
                    client.create().creatingParentsIfNeeded().forPath(path, ZkCodec.encode(first));
                    return new ControllerFence(path, 1, 0, controllerId);
                } catch (KeeperException.NodeExistsException raced) {
                    continue;
                }
            }
            long next = current.get().value().epoch() + 1;
            ControllerEpochRecord record = ControllerEpochRecord.of(next, controllerId, clock.instant());
            try {
                Stat stat = client.setData().withVersion(current.get().version()).forPath(path, ZkCodec.encode(record));
                return new ControllerFence(path, next, stat.getVersion(), controllerId);
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
                // Another bump got in between (or the znode was removed): read again.
            }
        }
        throw new IllegalStateException("could not bump " + path + " after " + MAX_ATTEMPTS
                + " attempts: it is changing continuously");
    }
}
