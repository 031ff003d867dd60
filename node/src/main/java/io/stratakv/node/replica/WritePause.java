package io.stratakv.node.replica;

/**
 * A leader's pause of new writes while the controller hands leadership to another replica
 * (Replica.transferLeadership): writes of the paused epoch wait until the pause expires. Bound to
 * one epoch, so a new term is never paused by an old one's transfer. Set under the replica's
 * cut-over lock held exclusively (so no append is in flight when the end offset is captured);
 * read by writers without it.
 */
final class WritePause {

    private volatile long epoch = -1;
    private volatile long untilNanos;

    void pause(long termEpoch, long untilNanos) {
        this.untilNanos = untilNanos;
        this.epoch = termEpoch;
    }

    /** Whether writes of termEpoch must wait now. */
    boolean blocks(long termEpoch) {
        return epoch == termEpoch && System.nanoTime() - untilNanos < 0;
    }
}
