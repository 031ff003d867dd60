package io.stratakv.balancer.client;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A node's answer: status, headers (names lower-case) and body bytes. */
public record NodeResponse(int status, Map<String, List<String>> headers, byte[] body) {

    public Optional<String> header(String name) {
        List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
    }
}
