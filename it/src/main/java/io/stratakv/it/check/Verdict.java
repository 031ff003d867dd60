package io.stratakv.it.check;

/** What a checker concluded. */
public enum Verdict {
    /** The property holds for the whole history. */
    VALID,
    /** The property is violated; the result says where. */
    INVALID,
    /** The checker ran out of its budget before deciding; no anomaly was found in what it did decide. */
    UNKNOWN
}
