package io.stratakv.balancer.resources;

import com.codahale.metrics.Timer;
import io.stratakv.balancer.core.KeyspaceRoutes;
import io.stratakv.balancer.routing.Answer;
import io.stratakv.balancer.routing.KvRequest;
import io.stratakv.balancer.routing.Router;
import io.stratakv.zk.contract.ErrorCode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The public data API, a plain servlet on the hot path (DESIGN.md §6):
 * {@code GET/PUT/DELETE /v1/kv/{key}} (keyspace {@code default}) and {@code /v1/kv/{keyspace}/{key}},
 * the key percent-encoded; {@code POST /v1/kv/{keyspace}:batchGet|:batchPut} goes to {@link BatchServlet}.
 *
 * <p>The balancer reads {@code consistency} (default: the keyspace's), {@code timeoutMs} (the
 * request's deadline, default and maximum from {@code requests:}), {@code epoch} and the
 * {@code X-Strata-Session} header; every other query parameter and every other {@code X-Strata-*}
 * header goes to the node unchanged, so node features (versions, positions) work through the
 * balancer without it knowing them. A write without {@code X-Request-Id} gets one, echoed in the answer.
 */
public final class KvServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(KvServlet.class);
    private static final Set<String> OWN_PARAMETERS = Set.of("consistency", "timeoutMs");

    private final PublicRequests in;
    private final Router router;
    private final RouteMetrics metrics;
    private final BatchServlet batches;

    KvServlet(PublicRequests in, Router router, RouteMetrics metrics, BatchServlet batches) {
        this.in = in;
        this.router = router;
        this.metrics = metrics;
        this.batches = batches;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        if (method.equals("POST")) {
            String rest = rest(req);
            int colon = rest.lastIndexOf(':');
            if (rest.indexOf('/') < 0 && colon > 0) {
                batches.serve(req, resp, rest.substring(0, colon), rest.substring(colon + 1));
                return;
            }
        }
        if (!method.equals("GET") && !method.equals("PUT") && !method.equals("DELETE")) {
            resp.setHeader("Allow", "GET, PUT, DELETE");
            ErrorResponses.send(resp, ErrorCode.INVALID_ARGUMENT, "method " + method + " is not supported on "
                    + "/v1/kv/{key}; use GET, PUT or DELETE (POST only for /v1/kv/{keyspace}:batchGet|:batchPut)",
                    Map.of("reason", "bad_method"));
            return;
        }
        String route = method.toLowerCase(Locale.ROOT);
        Answer a;
        try (Timer.Context ignored = metrics.time(route)) {
            a = answer(req, method, route);
            metrics.outcome(route, ErrorResponses.outcome(a)); // before the answer leaves, so a client sees it counted
            ErrorResponses.send(resp, a);
        }
    }

    private Answer answer(HttpServletRequest req, String method, String route) throws IOException {
        try {
            return router.route(parse(req, method, route));
        } catch (RequestException e) {
            return Answer.error(e.code(), e.getMessage(), e.details());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.error(ErrorCode.PARTITION_UNAVAILABLE, "the balancer is shutting down");
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, req.getRequestURI(), e);
            return Answer.error(ErrorCode.INTERNAL, e.toString());
        }
    }

    static String rest(HttpServletRequest req) {
        String uri = req.getRequestURI();
        String prefix = req.getContextPath() + req.getServletPath() + "/";
        return uri.startsWith(prefix) ? uri.substring(prefix.length()) : "";
    }

    private KvRequest parse(HttpServletRequest req, String method, String route) throws IOException {
        long start = System.nanoTime();
        String rest = rest(req);
        String keyspace;
        String rawKey;
        int slash = rest.indexOf('/');
        if (slash < 0) {
            keyspace = PublicRequests.DEFAULT_KEYSPACE;
            rawKey = rest;
        } else {
            keyspace = rest.substring(0, slash);
            rawKey = rest.substring(slash + 1);
            if (rawKey.indexOf('/') >= 0) {
                throw RequestException.invalid("bad_path", "use /v1/kv/{key} or /v1/kv/{keyspace}/{key};"
                        + " a '/' inside a key must be percent-encoded (%2F)");
            }
        }
        if (rawKey.isEmpty()) {
            throw RequestException.invalid("empty_key", "use /v1/kv/{key} or /v1/kv/{keyspace}/{key} with a non-empty key");
        }
        int maxKey = in.limits().maxKeyBytes();
        if (rawKey.length() > 3L * maxKey + 3) { // cheap check before decoding: %XX is 3 characters per byte
            throw new RequestException(ErrorCode.KEY_TOO_LARGE, "key exceeds " + maxKey + " bytes");
        }
        KeyspaceRoutes ks = in.keyspace(keyspace);
        byte[] key = PercentCoding.decode(rawKey);
        if (key.length > maxKey) {
            throw new RequestException(ErrorCode.KEY_TOO_LARGE, "key of " + key.length + " bytes exceeds " + maxKey);
        }
        Map<String, String> own = new LinkedHashMap<>();
        String passQuery = PercentCoding.splitQuery(req.getQueryString(), OWN_PARAMETERS, own);
        PercentCoding.checkQuery(passQuery);
        boolean write = !method.equals("GET");
        String consistency = PublicRequests.consistency(own.get("consistency"), write, ks);
        long deadline = in.deadline(start, own.get("timeoutMs"));
        byte[] body = method.equals("PUT") ? PublicRequests.readBody(req, in.limits().getMaxBodySize().toBytes(),
                in.limits().maxValueBytes(), ErrorCode.VALUE_TOO_LARGE) : new byte[0];
        String requestId = PublicRequests.requestId(req, write);
        boolean explicitPosition = req.getHeader(PublicRequests.POSITION_HEADER) != null
                || PercentCoding.param(passQuery, "position") != null;
        String epoch = PercentCoding.param(passQuery, "epoch");
        return new KvRequest(route, method, write, keyspace, key, -1, "/v1/kv/" + keyspace + "/" + PercentCoding.encodePathSegment(key),
                consistency, passQuery, PublicRequests.strataHeaders(req, true), body, epoch, requestId,
                write ? io.stratakv.balancer.routing.SessionTokens.NONE : PublicRequests.session(req),
                explicitPosition, deadline);
    }
}
