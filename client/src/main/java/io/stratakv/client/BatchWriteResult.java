package io.stratakv.client;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The outcome of one item of a {@link StrataClient#batchPut}. A batch is not atomic: each item
 * applies (or fails its condition) on its own, in order within its partition.
 *
 * @param version   the key's new version when the item applied; the current version when its
 *                  condition failed (if the balancer reported it)
 * @param duplicate a retry of an item that had already applied (same request id)
 * @param error     for {@link Status#FAILED}: why
 */
public record BatchWriteResult(byte[] key, Status status, OptionalLong version, boolean duplicate,
                               Optional<StrataException> error) {

    /** What happened to one item. */
    public enum Status {
        /** Applied (QUORUM, ALL). */
        APPLIED,
        /** Appended by the leader, not yet applied (ONE): no version yet. */
        ACCEPTED,
        /** Its {@code ifVersion} did not match: nothing was written for this item. */
        PRECONDITION_FAILED,
        /** The item could not be written (see {@code error}). */
        FAILED;

        static Status parse(String s) {
            if (s == null) {
                return FAILED;
            }
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return FAILED;
            }
        }
    }

    public BatchWriteResult {
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    public String keyAsString() {
        return new String(key, StandardCharsets.UTF_8);
    }

    public boolean applied() {
        return status == Status.APPLIED || status == Status.ACCEPTED;
    }
}
