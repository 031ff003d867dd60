package io.stratakv.balancer.resources;

import io.stratakv.balancer.config.LimitsFactory;
import io.stratakv.balancer.config.RequestsFactory;
import io.stratakv.balancer.core.KeyspaceRoutes;
import io.stratakv.balancer.core.PartitionMap;
import io.stratakv.balancer.routing.SessionTokens;
import io.stratakv.zk.ZkNames;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;
import jakarta.servlet.http.HttpServletRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Parsing shared by the public servlets: keyspace, consistency, deadline, request id, headers, body. */
final class PublicRequests {

    static final String DEFAULT_KEYSPACE = "default";
    /** The node refuses longer ids; refusing them here gives the same answer without a hop. */
    static final int MAX_REQUEST_ID_BYTES = 128;
    static final String SESSION_HEADER = "X-Strata-Session";
    static final String POSITION_HEADER = "X-Strata-Position";

    /**
     * An oversized body up to this many bytes is read and thrown away (never stored) before the
     * 413 answer, so a client still sending sees the error rather than a reset connection.
     */
    private static final long DRAIN_LIMIT = 8L << 20;

    private final PartitionMap map;
    private final LimitsFactory limits;
    private final RequestsFactory requests;

    PublicRequests(PartitionMap map, LimitsFactory limits, RequestsFactory requests) {
        this.map = map;
        this.limits = limits;
        this.requests = requests;
    }

    LimitsFactory limits() {
        return limits;
    }

    KeyspaceRoutes keyspace(String name) {
        if (!ZkNames.isValidName(name)) {
            throw new RequestException(ErrorCode.INVALID_KEYSPACE_NAME, "keyspace '" + name + "' must match "
                    + ZkNames.NAME_REGEX);
        }
        return map.view().keyspace(name).orElseThrow(() -> new RequestException(
                ErrorCode.KEYSPACE_NOT_FOUND, "keyspace " + name + " does not exist"));
    }

    static String consistency(String given, boolean write, KeyspaceRoutes ks) {
        return write
                ? consistency(given, WriteConsistency.class, ks.keyspace().defaultWriteConsistency())
                : consistency(given, ReadConsistency.class, ks.keyspace().defaultReadConsistency());
    }

    private static <E extends Enum<E>> String consistency(String given, Class<E> type, E dflt) {
        if (given == null || given.isEmpty()) {
            return dflt.name();
        }
        try {
            return Enum.valueOf(type, given.toUpperCase(Locale.ROOT)).name();
        } catch (IllegalArgumentException e) {
            throw new RequestException(ErrorCode.INVALID_ARGUMENT, "consistency '" + given + "' is not one of "
                    + Arrays.toString(type.getEnumConstants()) + " for this operation", Map.of("reason", "bad_consistency"));
        }
    }

    /** System.nanoTime() deadline of a request that arrived at {@code startNanos}. */
    long deadline(long startNanos, String timeoutMs) {
        long max = requests.getMaxTimeout().toMilliseconds();
        if (timeoutMs == null) {
            return startNanos + requests.getDefaultTimeout().toNanoseconds();
        }
        long ms;
        try {
            ms = Long.parseLong(timeoutMs);
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 1 || ms > max) {
            throw new RequestException(ErrorCode.INVALID_ARGUMENT, "timeoutMs '" + timeoutMs + "' must be 1.." + max,
                    Map.of("reason", "bad_timeout"));
        }
        return startNanos + ms * 1_000_000L;
    }

    /** The client's X-Strata-* headers to forward, without the balancer's own X-Strata-Session. */
    static Map<String, List<String>> strataHeaders(HttpServletRequest req, boolean withPosition) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(req.getHeaderNames())) {
            if (name.regionMatches(true, 0, "X-Strata-", 0, 9) && !name.equalsIgnoreCase(SESSION_HEADER)
                    && (withPosition || !name.equalsIgnoreCase(POSITION_HEADER))) {
                headers.put(name, Collections.list(req.getHeaders(name)));
            }
        }
        return headers;
    }

    /** The client's X-Request-Id (checked), a new UUID for a write without one, null for a read without one. */
    static String requestId(HttpServletRequest req, boolean write) {
        String id = req.getHeader("X-Request-Id");
        if (id != null && id.getBytes(StandardCharsets.UTF_8).length > MAX_REQUEST_ID_BYTES) {
            throw RequestException.invalid("request_id_too_long", "X-Request-Id over " + MAX_REQUEST_ID_BYTES + " bytes");
        }
        if (write && (id == null || id.isEmpty())) {
            return UUID.randomUUID().toString();
        }
        return write ? id : null;
    }

    static SessionTokens session(HttpServletRequest req) {
        try {
            return SessionTokens.parse(req.getHeader(SESSION_HEADER));
        } catch (IllegalArgumentException e) {
            throw RequestException.invalid("bad_session", e.getMessage());
        }
    }

    /** Reads a body of at most {@code max} bytes; 413 {@code tooLarge} without storing it otherwise. */
    static byte[] readBody(HttpServletRequest req, long declaredMax, int max, ErrorCode tooLarge) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > declaredMax) {
            if (declared <= DRAIN_LIMIT) {
                drain(req.getInputStream(), declared);
            }
            throw new RequestException(ErrorCode.BODY_TOO_LARGE, "body of " + declared + " bytes exceeds " + declaredMax);
        }
        try (InputStream in = req.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(16, Math.min(max, declared)));
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > max) {
                    drain(in, DRAIN_LIMIT);
                    throw new RequestException(tooLarge, (tooLarge == ErrorCode.VALUE_TOO_LARGE ? "value" : "body")
                            + " exceeds " + max + " bytes");
                }
            }
            return out.toByteArray();
        }
    }

    private static void drain(InputStream in, long limit) {
        try {
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while (total < limit && (n = in.read(buf)) > 0) {
                total += n;
            }
        } catch (IOException ignored) {
            // the client went away: nothing to answer
        }
    }
}
