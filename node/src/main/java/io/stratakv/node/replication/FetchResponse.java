package io.stratakv.node.replication;

import io.stratakv.storage.log.LogRecord;

import java.util.List;

/**
 * Leader to follower: records from the requested offset (possibly none after a long poll).
 *
 * @param commitEnd offsets below it are committed; the follower applies up to min(commitEnd, its end)
 * @param leaderEnd the leader's log end (for the follower's lag)
 * @param readToken the leader's newest read-confirmation token; the follower echoes it in its next fetch
 */
public record FetchResponse(long leaderEpoch, long commitEnd, long leaderEnd, long logStart, long readToken,
                            List<LogRecord> records) {
}
