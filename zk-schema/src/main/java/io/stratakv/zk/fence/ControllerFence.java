package io.stratakv.zk.fence;

import java.util.Objects;

/**
 * What an active controller holds after bumping the controller epoch: its epoch, and the
 * version of {@code /controller/epoch} it left behind. Every {@link FencedWrite} checks that the
 * znode is still at {@code version}; once another controller bumps it, every write of this one
 * fails whole with {@link FencedOutException}.
 *
 * @param epochPath    the {@code /controller/epoch} znode
 * @param epoch        this controller's epoch
 * @param version      the znode version to fence on
 * @param controllerId this controller's id
 */
public record ControllerFence(String epochPath, long epoch, int version, String controllerId) {
    public ControllerFence {
        Objects.requireNonNull(epochPath, "epochPath");
        Objects.requireNonNull(controllerId, "controllerId");
        if (epoch < 1 || version < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " must be at least 1 and version " + version
                    + " non-negative");
        }
    }
}
