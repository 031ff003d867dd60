package io.stratakv.ops.bench;

import java.util.Optional;

/**
 * The db_bench-style workloads. N is --keys, R is --reads (default N). Every workload runs on its
 * own database: an empty one for the fills, otherwise one prepared (not timed) by writing each of
 * the N keys once in random order, then flushing and waiting for compactions; the read workloads
 * then warm it (not timed) by getting every key once, so the block cache holds what fits.
 */
public enum Workload {
    FILLSEQ("fillseq", Preparation.EMPTY, true,
            "write the N keys in key order into an empty database"),
    FILLRANDOM("fillrandom", Preparation.EMPTY, true,
            "write each of the N keys once, in random order, into an empty database"),
    OVERWRITE("overwrite", Preparation.FILLED, true,
            "write N keys drawn at random (with repeats) over the N present ones"),
    READRANDOM("readrandom", Preparation.WARMED, false,
            "get R keys drawn at random; all are present"),
    READSEQ("readseq", Preparation.WARMED, false,
            "scan all N entries in key order; one op is one entry"),
    SEEKRANDOM("seekrandom", Preparation.WARMED, false,
            "R times: open a scan at a random present key and read up to --seek-nexts entries (default 10, the key itself included)"),
    DELETERANDOM("deleterandom", Preparation.FILLED, false,
            "delete each of the N keys once, in random order"),
    READWHILEWRITING("readwhilewriting", Preparation.WARMED, false,
            "1 thread gets R random keys (measured) while 1 thread overwrites random keys at full speed");

    /** The state of the database before the timed part starts. */
    public enum Preparation { EMPTY, FILLED, WARMED }

    private final String id;
    private final Preparation preparation;
    private final boolean measuresAmplification;
    private final String description;

    Workload(String id, Preparation preparation, boolean measuresAmplification, String description) {
        this.id = id;
        this.preparation = preparation;
        this.measuresAmplification = measuresAmplification;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public Preparation preparation() {
        return preparation;
    }

    /** Whether space and write amplification are measured after it (it leaves N live keys). */
    public boolean measuresAmplification() {
        return measuresAmplification;
    }

    public String description() {
        return description;
    }

    public static Optional<Workload> byId(String id) {
        for (Workload w : values()) {
            if (w.id.equals(id)) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }
}
