package io.stratakv.controller.rebalance;

/** When a learner counts as caught up, so that it may become a voter. */
public enum CatchUpRule {
    /**
     * The learner's log end is at least the leader's commit offset (minus the allowed lag), the
     * leader asked first: it holds everything committed when the check began.
     */
    LEADER_COMMIT_OFFSET,
    /** The learner's own reported lag behind the leader's end is within the allowed lag. */
    LEARNER_LAG
}
