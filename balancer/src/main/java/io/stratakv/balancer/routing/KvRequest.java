package io.stratakv.balancer.routing;

import java.util.List;
import java.util.Map;

/**
 * A validated request for ONE partition, ready to route: a single-key request, one partition's
 * sub-batch, or one partition's scan page.
 *
 * @param route         metric and log name: get, put, delete, batchGet, batchPut, scan
 * @param method        GET, PUT, DELETE or POST
 * @param write         whether it changes data (leader only, request id, unknown outcomes)
 * @param keyspace      a valid keyspace name
 * @param key           bytes whose hash picks the partition (a sub-batch: its first key); null when
 *                      {@code partitionId} names it
 * @param partitionId   the partition to send to (a scan page), or -1 to route by {@code key}'s hash
 * @param nodePath      the path on the node, already percent-encoded
 * @param consistency   the level to use, resolved (the client's, else the keyspace's default)
 * @param passQuery     query parameters for the node, still encoded
 * @param passHeaders   X-Strata-* headers for the node (X-Request-Id is added for writes)
 * @param body          empty for GET and DELETE
 * @param clientEpoch   an {@code epoch=} the client named itself (forwarded instead of the map's), or null
 * @param requestId     the write's request id, or null for reads
 * @param session       the client's SESSION positions per partition (SESSION reads only)
 * @param explicitPosition whether the client gave a position itself (X-Strata-Position or position=):
 *                      then {@code session} is consulted first and the client's is forwarded otherwise
 * @param deadlineNanos System.nanoTime() by which the request must be answered
 */
public record KvRequest(String route, String method, boolean write, String keyspace, byte[] key, int partitionId,
                        String nodePath, String consistency, String passQuery, Map<String, List<String>> passHeaders,
                        byte[] body, String clientEpoch, String requestId, SessionTokens session,
                        boolean explicitPosition, long deadlineNanos) {

    public boolean isWrite() {
        return write;
    }
}
