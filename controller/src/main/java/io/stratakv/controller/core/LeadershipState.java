package io.stratakv.controller.core;

/**
 * Where a controller stands. Transitions (all on the leadership thread):
 * STANDBY → ACTIVATING (the latch says we lead) → ACTIVE (synced, latch owner verified, epoch bumped);
 * ACTIVE → SUSPENDED (connection suspended: stop acting at once) → ACTIVATING (reconnected and still
 * leading) or STANDBY (lost the latch); any → STANDBY (fenced out or latch lost); any → CLOSED.
 */
public enum LeadershipState {
    STANDBY, ACTIVATING, ACTIVE, SUSPENDED, CLOSED
}
