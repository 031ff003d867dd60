package io.stratakv.balancer.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One HTTP call to a storage node's data API.
 *
 * @param baseUri  {@code http://host:port}
 * @param rawPath  already percent-encoded, e.g. {@code /v1/kv/default/user%2F42}
 * @param rawQuery already encoded, without '?'; empty for none
 * @param headers  request headers to send (X-Strata-*, X-Request-Id)
 * @param body     empty for GET and DELETE
 * @param timeout  the whole call's bound (the request's remaining deadline)
 */
public record NodeRequest(String method, String baseUri, String rawPath, String rawQuery,
                          Map<String, List<String>> headers, byte[] body, Duration timeout) {
}
