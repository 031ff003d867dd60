package io.stratakv.balancer.routing;

import java.util.List;
import java.util.Map;

/**
 * A validated public request, ready to route.
 *
 * @param method        GET, PUT or DELETE
 * @param keyspace      a valid keyspace name
 * @param key           the key's bytes (hashed for routing)
 * @param rawKey        the key as percent-encoded in the client's URL, forwarded unchanged
 * @param consistency   the level to use, resolved (the client's, else the keyspace's default)
 * @param passQuery     the client's other query parameters, still encoded, forwarded unchanged
 * @param passHeaders   the client's X-Strata-* headers, forwarded unchanged (X-Request-Id added for writes)
 * @param clientEpoch   an {@code epoch=} the client named itself (forwarded instead of the map's), or null
 * @param requestId     the write's request id (the client's or assigned), or null for reads
 * @param deadlineNanos System.nanoTime() by which the request must be answered
 */
public record KvRequest(String method, String keyspace, byte[] key, String rawKey, String consistency,
                        String passQuery, Map<String, List<String>> passHeaders, byte[] body, String clientEpoch,
                        String requestId, long deadlineNanos) {

    public boolean isWrite() {
        return !method.equals("GET");
    }
}
