package io.stratakv.balancer.resources;

import io.stratakv.balancer.config.LimitsFactory;
import io.stratakv.balancer.config.RequestsFactory;
import io.stratakv.balancer.core.KeyspaceRoutes;
import io.stratakv.balancer.core.PartitionMap;
import io.stratakv.balancer.routing.Answer;
import io.stratakv.balancer.routing.KvRequest;
import io.stratakv.balancer.routing.Router;
import io.stratakv.zk.ZkNames;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
import java.util.Set;
import java.util.UUID;

/**
 * The public data API, a plain servlet on the hot path (DESIGN.md §6):
 * {@code GET/PUT/DELETE /v1/kv/{key}} (keyspace {@code default}) and {@code /v1/kv/{keyspace}/{key}},
 * the key percent-encoded.
 *
 * <p>The balancer reads {@code consistency} (default: the keyspace's), {@code timeoutMs} (the
 * request's deadline, default and maximum from {@code requests:}) and {@code epoch}; every other
 * query parameter and every {@code X-Strata-*} header goes to the node unchanged, so node features
 * (versions, positions) work through the balancer without it knowing them. A write without
 * {@code X-Request-Id} gets one, echoed in the answer.
 */
public final class KvServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(KvServlet.class);
    static final String DEFAULT_KEYSPACE = "default";
    /** The node refuses longer ids; refusing them here gives the same answer without a hop. */
    static final int MAX_REQUEST_ID_BYTES = 128;
    private static final Set<String> OWN_PARAMETERS = Set.of("consistency", "timeoutMs");

    private final PartitionMap map;
    private final Router router;
    private final LimitsFactory limits;
    private final RequestsFactory requests;

    public KvServlet(PartitionMap map, Router router, LimitsFactory limits, RequestsFactory requests) {
        this.map = map;
        this.router = router;
        this.limits = limits;
        this.requests = requests;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        if (!method.equals("GET") && !method.equals("PUT") && !method.equals("DELETE")) {
            resp.setHeader("Allow", "GET, PUT, DELETE");
            ErrorResponses.send(resp, Answer.error(ErrorCode.INVALID_ARGUMENT, "method " + method
                    + " is not supported on /v1/kv; use GET, PUT or DELETE"));
            return;
        }
        try {
            ErrorResponses.send(resp, router.route(parse(req, method)));
        } catch (RequestException e) {
            ErrorResponses.send(resp, Answer.error(e.code(), e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ErrorResponses.send(resp, Answer.error(ErrorCode.PARTITION_UNAVAILABLE, "the balancer is shutting down"));
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, req.getRequestURI(), e);
            ErrorResponses.send(resp, Answer.error(ErrorCode.INTERNAL, e.toString()));
        }
    }

    private KvRequest parse(HttpServletRequest req, String method) throws IOException {
        long start = System.nanoTime();
        String uri = req.getRequestURI();
        String prefix = req.getContextPath() + req.getServletPath() + "/";
        String rest = uri.startsWith(prefix) ? uri.substring(prefix.length()) : "";
        String keyspace;
        String rawKey;
        int slash = rest.indexOf('/');
        if (slash < 0) {
            keyspace = DEFAULT_KEYSPACE;
            rawKey = rest;
        } else {
            keyspace = rest.substring(0, slash);
            rawKey = rest.substring(slash + 1);
            if (rawKey.indexOf('/') >= 0) {
                throw new RequestException(ErrorCode.INVALID_ARGUMENT, "use /v1/kv/{key} or /v1/kv/{keyspace}/{key};"
                        + " a '/' inside a key must be percent-encoded (%2F)");
            }
        }
        if (rawKey.isEmpty()) {
            throw new RequestException(ErrorCode.INVALID_ARGUMENT, "use /v1/kv/{key} or /v1/kv/{keyspace}/{key} with a non-empty key");
        }
        if (!ZkNames.isValidName(keyspace)) {
            throw new RequestException(ErrorCode.INVALID_KEYSPACE_NAME, "keyspace '" + keyspace + "' must match "
                    + ZkNames.NAME_REGEX);
        }
        int maxKey = limits.maxKeyBytes();
        if (rawKey.length() > 3L * maxKey + 3) { // cheap check before decoding: %XX is 3 characters per byte
            throw new RequestException(ErrorCode.KEY_TOO_LARGE, "key exceeds " + maxKey + " bytes");
        }
        byte[] key = PercentCoding.decode(rawKey);
        if (key.length > maxKey) {
            throw new RequestException(ErrorCode.KEY_TOO_LARGE, "key of " + key.length + " bytes exceeds " + maxKey);
        }
        Map<String, String> own = new LinkedHashMap<>();
        String passQuery = PercentCoding.splitQuery(req.getQueryString(), OWN_PARAMETERS, own);
        KeyspaceRoutes ks = map.view().keyspace(keyspace).orElseThrow(() -> new RequestException(
                ErrorCode.KEYSPACE_NOT_FOUND, "keyspace " + keyspace + " does not exist"));
        boolean write = !method.equals("GET");
        String consistency = write
                ? consistency(own.get("consistency"), WriteConsistency.class, ks.keyspace().defaultWriteConsistency())
                : consistency(own.get("consistency"), ReadConsistency.class, ks.keyspace().defaultReadConsistency());
        long deadline = start + deadlineNanos(own.get("timeoutMs"));
        byte[] body = write && method.equals("PUT") ? readBody(req) : new byte[0];
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(req.getHeaderNames())) {
            if (name.regionMatches(true, 0, "X-Strata-", 0, 9)) {
                headers.put(name, Collections.list(req.getHeaders(name)));
            }
        }
        String requestId = req.getHeader("X-Request-Id");
        if (requestId != null && requestId.getBytes(StandardCharsets.UTF_8).length > MAX_REQUEST_ID_BYTES) {
            throw new RequestException(ErrorCode.INVALID_ARGUMENT, "X-Request-Id over " + MAX_REQUEST_ID_BYTES + " bytes");
        }
        if (write && (requestId == null || requestId.isEmpty())) {
            requestId = UUID.randomUUID().toString();
        }
        String epoch = PercentCoding.param(passQuery, "epoch");
        return new KvRequest(method, keyspace, key, rawKey, consistency, passQuery, headers, body, epoch,
                write ? requestId : null, deadline);
    }

    private static <E extends Enum<E>> String consistency(String given, Class<E> type, E dflt) {
        if (given == null || given.isEmpty()) {
            return dflt.name();
        }
        try {
            return Enum.valueOf(type, given.toUpperCase(Locale.ROOT)).name();
        } catch (IllegalArgumentException e) {
            throw new RequestException(ErrorCode.INVALID_ARGUMENT, "consistency '" + given + "' is not one of "
                    + Arrays.toString(type.getEnumConstants()) + " for this operation");
        }
    }

    private long deadlineNanos(String timeoutMs) {
        long max = requests.getMaxTimeout().toMilliseconds();
        if (timeoutMs == null) {
            return requests.getDefaultTimeout().toNanoseconds();
        }
        long ms;
        try {
            ms = Long.parseLong(timeoutMs);
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 1 || ms > max) {
            throw new RequestException(ErrorCode.INVALID_ARGUMENT, "timeoutMs '" + timeoutMs + "' must be 1.." + max);
        }
        return ms * 1_000_000L;
    }

    /**
     * An oversized body up to this many bytes is read and thrown away (never stored) before the
     * 413 answer, so a client still sending sees the error rather than a reset connection.
     */
    private static final long DRAIN_LIMIT = 8L << 20;

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

    private byte[] readBody(HttpServletRequest req) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > limits.getMaxBodySize().toBytes()) {
            if (declared <= DRAIN_LIMIT) {
                drain(req.getInputStream(), declared);
            }
            throw new RequestException(ErrorCode.BODY_TOO_LARGE, "body of " + declared + " bytes exceeds "
                    + limits.getMaxBodySize().toBytes());
        }
        int max = limits.maxValueBytes();
        try (InputStream in = req.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(16, Math.min(max, declared)));
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > max) {
                    drain(in, DRAIN_LIMIT);
                    throw new RequestException(ErrorCode.VALUE_TOO_LARGE, "value exceeds " + max + " bytes");
                }
            }
            return out.toByteArray();
        }
    }
}
