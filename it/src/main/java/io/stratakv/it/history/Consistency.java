package io.stratakv.it.history;

/**
 * The consistency level a client asked for, recorded per operation so that a checker can decide
 * what the database promised for it (DESIGN.md §3). Mirrors {@code WriteConsistency} and
 * {@code ReadConsistency} in zk-schema, flattened into one enum so that a history file does not
 * depend on that module.
 */
public enum Consistency {
    ONE, QUORUM, ALL,
    STRONG, SESSION, EVENTUAL;

    /** Whether an acknowledged write at this level must never be lost. */
    public boolean isDurableWrite() {
        return this == QUORUM || this == ALL;
    }

    /**
     * Whether an operation at this level takes part in the linearizability check: {@code STRONG}
     * reads and {@code QUORUM}/{@code ALL} writes (DESIGN.md §7).
     */
    public boolean isLinearizable() {
        return this == STRONG || isDurableWrite();
    }
}
