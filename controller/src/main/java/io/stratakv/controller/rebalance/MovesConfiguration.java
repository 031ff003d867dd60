package io.stratakv.controller.rebalance;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** YAML under {@code moves:}: replica moves, rebalancing and decommissioning. */
public class MovesConfiguration {

    /** Partitions with a reassignment at once; new targets are written only below this. */
    @Min(1)
    private int maxMovesInFlight = 2;

    /**
     * A node DOWN this long has its replicas replaced; before that its replicas stay (a restart or
     * a short network cut should not copy whole partitions).
     */
    @NotNull
    private Duration replaceDownNodeAfter = Duration.minutes(10);

    /** How a learner is judged caught up before it becomes a voter. */
    @NotNull
    private CatchUpRule catchUpRule = CatchUpRule.LEADER_COMMIT_OFFSET;

    /** Entries a learner may still miss when it is promoted (0: none). */
    @Min(0)
    private long learnerMaxLagRecords = 0;

    @JsonProperty
    public int getMaxMovesInFlight() {
        return maxMovesInFlight;
    }

    @JsonProperty
    public void setMaxMovesInFlight(int maxMovesInFlight) {
        this.maxMovesInFlight = maxMovesInFlight;
    }

    @JsonProperty
    public Duration getReplaceDownNodeAfter() {
        return replaceDownNodeAfter;
    }

    @JsonProperty
    public void setReplaceDownNodeAfter(Duration replaceDownNodeAfter) {
        this.replaceDownNodeAfter = replaceDownNodeAfter;
    }

    @JsonProperty
    public CatchUpRule getCatchUpRule() {
        return catchUpRule;
    }

    @JsonProperty
    public void setCatchUpRule(CatchUpRule catchUpRule) {
        this.catchUpRule = catchUpRule;
    }

    @JsonProperty
    public long getLearnerMaxLagRecords() {
        return learnerMaxLagRecords;
    }

    @JsonProperty
    public void setLearnerMaxLagRecords(long learnerMaxLagRecords) {
        this.learnerMaxLagRecords = learnerMaxLagRecords;
    }
}
