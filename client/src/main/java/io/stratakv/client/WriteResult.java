package io.stratakv.client;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The outcome of an acknowledged write.
 *
 * @param version   the key's new version (0 after a delete); empty for {@code ONE} writes, which are
 *                  acknowledged once the leader appended them, before they are applied
 * @param partition the partition that holds the key ({@code X-Strata-Partition}), -1 if not reported
 * @param position  where the write is in that partition's log; the client remembers it for SESSION reads
 * @param duplicate the balancer recognised this as a retry of a write that had already applied
 *                  (same request id): nothing was applied twice, {@code version} is the original's
 */
public record WriteResult(OptionalLong version, int partition, Optional<Position> position, boolean duplicate) {
}
