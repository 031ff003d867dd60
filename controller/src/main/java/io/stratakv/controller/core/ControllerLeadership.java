package io.stratakv.controller.core;

import io.dropwizard.lifecycle.Managed;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.fence.ControllerEpochs;
import io.stratakv.zk.fence.ControllerFence;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Active/standby election of controllers on a Curator LeaderLatch, with the safety rules of
 * DESIGN.md §4.1:
 * <ul>
 *   <li>On becoming leader: {@code sync()} (so reads are not served by a lagging server, helix
 *       #1118), check that the latch znode is owned by our current session (a latch can believe it
 *       leads after its session expired, CURATOR-696), then bump {@code /controller/epoch} by
 *       compare-and-set. Only then is the term ACTIVE.</li>
 *   <li>On SUSPENDED or LOST: stop acting at once (apache/helix #691). Safety does not rest on this:
 *       every write is fenced on the epoch znode version, so a deposed controller's writes fail.</li>
 *   <li>On RECONNECTED: the same checks again before acting; if another controller bumped the epoch
 *       meanwhile, we bump again (if we still lead) rather than reuse a stale fence.</li>
 *   <li>A fenced-out write ({@link #fencedOut()}) drops leadership: the latch is recreated so this
 *       controller rejoins as a standby.</li>
 * </ul>
 * Every transition runs on one thread, so they never interleave. {@link #isActing()} is what the
 * control loops check before each action.
 */
public final class ControllerLeadership implements Managed {

    /** Told when a term starts and ends; called on the leadership thread. */
    public interface Listener {
        void activated(ControllerFence fence);

        void deactivated(LeadershipState why);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ControllerLeadership.class);
    /** Pause before retrying a failed activation (sync or epoch bump failed, e.g. mid-reconnect). */
    private static final long ACTIVATION_RETRY_MILLIS = 200;

    private final CuratorFramework client;
    private final ZkLayout layout;
    private final String controllerId;
    private final Listener listener;
    private final ScheduledExecutorService thread;
    private final ConnectionStateListener connectionListener = (c, s) -> onConnectionState(s);
    private LeaderLatch latch;
    private volatile LeadershipState state = LeadershipState.STANDBY;
    private volatile ControllerFence fence;

    public ControllerLeadership(CuratorFramework client, ZkLayout layout, String controllerId, Listener listener) {
        this.client = client;
        this.layout = layout;
        this.controllerId = controllerId;
        this.listener = listener;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "controller-leadership");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void start() throws Exception {
        client.getConnectionStateListenable().addListener(connectionListener, thread);
        thread.submit(this::newLatch).get();
    }

    private void newLatch() {
        try {
            if (latch != null) {
                latch.close(LeaderLatch.CloseMode.SILENT);
            }
            latch = new LeaderLatch(client, layout.controllerLatch(), controllerId);
            latch.addListener(new LeaderLatchListener() {
                @Override
                public void isLeader() {
                    activate();
                }

                @Override
                public void notLeader() {
                    deactivate(LeadershipState.STANDBY);
                }
            }, thread);
            latch.start();
        } catch (Exception e) {
            LOG.error("could not start the controller latch", e);
        }
    }

    public LeadershipState state() {
        return state;
    }

    /** True only while this controller is active and connected: the control loops' gate. */
    public boolean isActing() {
        return state == LeadershipState.ACTIVE;
    }

    /** The fence of the current term, or null when not active. */
    public ControllerFence fence() {
        return state == LeadershipState.ACTIVE ? fence : null;
    }

    /** A fenced write failed: another controller has a newer epoch. Step down and rejoin as standby. */
    public void fencedOut() {
        thread.execute(() -> {
            if (state == LeadershipState.CLOSED) {
                return;
            }
            LOG.warn("controller {} was fenced out at epoch {}; stepping down", controllerId, fence == null ? -1 : fence.epoch());
            deactivate(LeadershipState.STANDBY);
            fence = null;
            newLatch();
        });
    }

    private void onConnectionState(ConnectionState s) {
        switch (s) {
            case SUSPENDED, LOST -> deactivate(LeadershipState.SUSPENDED);
            case RECONNECTED -> {
                if (latch != null && latch.hasLeadership()) {
                    activate();
                } else if (state != LeadershipState.CLOSED) {
                    state = LeadershipState.STANDBY;
                }
            }
            default -> {
                // CONNECTED and READ_ONLY need nothing: the latch reports leadership itself.
            }
        }
    }

    /** Runs on the leadership thread. */
    private void activate() {
        if (state == LeadershipState.CLOSED || state == LeadershipState.ACTIVE || !latch.hasLeadership()) {
            return;
        }
        state = LeadershipState.ACTIVATING;
        try {
            sync();
            if (!latchOwnedBySession()) {
                LOG.warn("latch says {} leads, but its znode is not owned by our session; not activating", controllerId);
                state = LeadershipState.STANDBY;
                newLatch();
                return;
            }
            ControllerFence current = fence;
            if (current == null || !stillCurrent(current)) {
                current = ControllerEpochs.bump(client, layout, controllerId);
            }
            fence = current;
            state = LeadershipState.ACTIVE;
            LOG.info("controller {} is active at epoch {}", controllerId, current.epoch());
            listener.activated(current);
        } catch (Exception e) {
            LOG.warn("controller {} could not activate: {}", controllerId, e.toString());
            state = LeadershipState.STANDBY;
            // Back off, without holding the leadership thread, then try again if we still lead.
            thread.schedule(this::retryActivation, ACTIVATION_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void retryActivation() {
        if (latch != null && latch.hasLeadership()) {
            activate();
        }
    }

    private void deactivate(LeadershipState why) {
        LeadershipState was = state;
        if (was == LeadershipState.CLOSED) {
            return;
        }
        state = why;
        if (was == LeadershipState.ACTIVE) {
            LOG.info("controller {} stops acting: {}", controllerId, why);
            listener.deactivated(why);
        }
    }

    private void sync() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        client.sync().inBackground((c, e) -> done.countDown()).forPath(layout.controllerLatch());
        if (!done.await(client.getZookeeperClient().getConnectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("sync() did not complete");
        }
    }

    /** Whether nobody bumped the epoch since we did: then our fence is still good after a reconnect. */
    private boolean stillCurrent(ControllerFence f) throws Exception {
        Stat stat = client.checkExists().forPath(f.epochPath());
        return stat != null && stat.getVersion() == f.version();
    }

    private boolean latchOwnedBySession() throws Exception {
        String ours = latch.getOurPath();
        if (ours == null) {
            return false;
        }
        Stat stat = client.checkExists().forPath(ours);
        long session = client.getZookeeperClient().getZooKeeper().getSessionId();
        return stat != null && stat.getEphemeralOwner() == session;
    }

    @Override
    public void stop() throws Exception {
        thread.submit(() -> {
            deactivate(LeadershipState.CLOSED);
            state = LeadershipState.CLOSED;
            try {
                if (latch != null) {
                    latch.close(LeaderLatch.CloseMode.SILENT);
                }
            } catch (Exception e) {
                LOG.debug("closing latch", e);
            }
        }).get(10, TimeUnit.SECONDS);
        client.getConnectionStateListenable().removeListener(connectionListener);
        thread.shutdown();
    }
}
