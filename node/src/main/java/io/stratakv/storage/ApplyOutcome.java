package io.stratakv.storage;

/**
 * What applying one committed log entry did, decided identically on every replica (ENGINE.md).
 *
 * @param offset    the log offset of the entry that decided the outcome: for a duplicate, the
 *                  original entry's offset, not the retry's
 * @param version   APPLIED: the key's new version (a put: its offset; a delete: 0, absent);
 *                  PRECONDITION_FAILED: the key's version at apply time (0: absent)
 * @param duplicate the entry carried a request id already applied within the retention: nothing
 *                  was applied and this is the original entry's outcome
 */
public record ApplyOutcome(Status status, long offset, long version, boolean duplicate) {

    public enum Status {
        /** The mutation was applied. */
        APPLIED(0),
        /** Its expected version did not match; nothing was applied. */
        PRECONDITION_FAILED(1),
        /** An epoch-start or split record: no key changes. */
        NO_KEY(2),
        /**
         * The entry comes after the partition's split entry: the partition's state ended there (its
         * children carry it on), so nothing was applied. Never recorded in the request-id table, so
         * a retry on a child applies.
         */
        SPLIT(3);

        final int code;

        Status(int code) {
            this.code = code;
        }

        static Status of(int code) {
            for (Status s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown outcome status " + code);
        }
    }

    ApplyOutcome asDuplicate() {
        return new ApplyOutcome(status, offset, version, true);
    }
}
