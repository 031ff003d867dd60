package io.stratakv.zk.records;

import java.time.Instant;
import java.util.List;

/**
 * A replica-set change the controller is carrying out, stored in the partition so that a new
 * controller resumes it. Only the goal is stored: the next step is always derived from the
 * current {@code replicas} and {@code learners} (add a missing member as a learner; promote a
 * caught-up learner; move leadership off, then remove, one extra member), so every step is
 * idempotent and one member changes at a time (DESIGN.md §5).
 *
 * @param targetReplicas the voters wanted at the end, ordered (the first is the preferred leader)
 * @param requestedAt    when it was requested
 */
public record Reassignment(List<String> targetReplicas, Instant requestedAt) {
    public Reassignment {
        targetReplicas = Checks.distinct(targetReplicas, "reassignment.targetReplicas");
        if (targetReplicas.isEmpty()) {
            throw new IllegalArgumentException("reassignment.targetReplicas must not be empty");
        }
        Checks.present(requestedAt, "reassignment.requestedAt");
    }
}
