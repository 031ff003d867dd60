package io.stratakv.balancer.resources;

import com.codahale.metrics.Timer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stratakv.balancer.core.ClusterView;
import io.stratakv.balancer.core.KeyspaceRoutes;
import io.stratakv.balancer.routing.Answer;
import io.stratakv.balancer.routing.KvRequest;
import io.stratakv.balancer.routing.Router;
import io.stratakv.balancer.routing.SessionTokens;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.PartitionRecord;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * {@code GET /v1/scan?…} (keyspace {@code default}) and {@code /v1/scan/{keyspace}?…}: the keys of a
 * range or prefix across every partition, in unsigned byte order of the keys.
 *
 * <p>Keys hash to partitions, so every partition holds part of any range. The scan asks each routed
 * partition for its first page after the resume point (concurrently), then merges them k-way: it
 * takes the smallest head key among the partitions' buffers, and whenever a partition's buffer runs
 * dry while it has more, it fetches that partition's next page before taking anything else, so no
 * key is ever emitted before a smaller one that another partition still holds.
 *
 * <p><b>Continuation.</b> Opaque to clients: base64url (no padding) of one format byte
 * ({@value #TOKEN_V1}) followed by the last key returned. Resuming asks every partition routed
 * THEN for keys after that key, so a token stays valid across splits and leader changes. If the
 * map changes in the middle of one request (a partition is no longer routed), the merge restarts
 * from the last key it emitted on the new map. Each partition page is read on its own snapshot: a
 * scan is not a point-in-time view of the keyspace.
 */
public final class ScanServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(ScanServlet.class);
    static final byte TOKEN_V1 = 1;
    static final int DEFAULT_LIMIT = 100;
    /** Restarts of one request's merge on map changes before it gives up (each follows a real change). */
    private static final int MAX_RESTARTS = 16;
    private static final Set<String> PARAMETERS = Set.of("prefix", "start", "end", "limit", "continuation",
            "consistency", "timeoutMs");

    private final PublicRequests in;
    private final Router router;
    private final RouteMetrics metrics;
    private final ExecutorService executor;

    ScanServlet(PublicRequests in, Router router, RouteMetrics metrics, ExecutorService executor) {
        this.in = in;
        this.router = router;
        this.metrics = metrics;
        this.executor = executor;
    }

    private record Scan(KeyspaceRoutes ks, String consistency, long deadline, byte[] from, byte[] to, int limit,
                        byte[] after, SessionTokens session, Map<String, List<String>> headers) {
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!req.getMethod().equals("GET")) {
            resp.setHeader("Allow", "GET");
            ErrorResponses.send(resp, ErrorCode.INVALID_ARGUMENT, "use GET /v1/scan or /v1/scan/{keyspace}",
                    Map.of("reason", "bad_method"));
            return;
        }
        Answer a;
        try (Timer.Context ignored = metrics.time("scan")) {
            a = answer(req);
            metrics.outcome("scan", ErrorResponses.outcome(a)); // before the answer leaves, so a client sees it counted
            ErrorResponses.send(resp, a);
        }
    }

    private Answer answer(HttpServletRequest req) {
        try {
            return run(parse(req));
        } catch (RequestException e) {
            return Answer.error(e.code(), e.getMessage(), e.details());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.error(ErrorCode.PARTITION_UNAVAILABLE, "the balancer is shutting down");
        } catch (RuntimeException e) {
            LOG.error("GET {} failed", req.getRequestURI(), e);
            return Answer.error(ErrorCode.INTERNAL, e.toString());
        }
    }

    // ------------------------------------------------------------------------------ parsing

    private Scan parse(HttpServletRequest req) {
        long start = System.nanoTime();
        String rest = req.getPathInfo() == null ? "" : KvServlet.rest(req);
        if (rest.contains("/")) {
            throw RequestException.invalid("bad_path", "use /v1/scan or /v1/scan/{keyspace}");
        }
        KeyspaceRoutes ks = in.keyspace(rest.isEmpty() ? PublicRequests.DEFAULT_KEYSPACE : rest);
        Map<String, String> raw = PercentCoding.rawParams(req.getQueryString(), PARAMETERS);
        String consistency = PublicRequests.consistency(decodedText(raw.get("consistency")), false, ks);
        long deadline = in.deadline(start, decodedText(raw.get("timeoutMs")));
        byte[] from;
        byte[] to;
        String prefix = raw.get("prefix");
        if (prefix != null) {
            if (raw.containsKey("start") || raw.containsKey("end")) {
                throw RequestException.invalid("prefix_and_range", "give prefix= or start=/end=, not both");
            }
            byte[] pb = bound(prefix, "prefix");
            from = pb.length == 0 ? null : pb;
            to = pb.length == 0 ? null : prefixEnd(pb);
        } else {
            from = emptyToNull(bound(raw.get("start"), "start"));
            to = emptyToNull(bound(raw.get("end"), "end"));
        }
        if (from != null && to != null && Arrays.compareUnsigned(from, to) > 0) {
            throw RequestException.invalid("start_after_end", "start is after end");
        }
        int max = in.limits().getMaxScanLimit();
        String l = decodedText(raw.get("limit"));
        long limit;
        try {
            limit = l == null ? Math.min(DEFAULT_LIMIT, max) : Long.parseLong(l);
        } catch (NumberFormatException e) {
            throw RequestException.invalid("bad_limit", "limit '" + l + "' is not an integer");
        }
        if (limit < 1 || limit > max) {
            throw RequestException.invalid(limit < 1 ? "bad_limit" : "limit_too_large", "limit must be 1.." + max);
        }
        byte[] after = null;
        String token = raw.get("continuation");
        if (token != null && !token.isEmpty()) {
            after = decodeToken(token);
        }
        return new Scan(ks, consistency, deadline, from, to, (int) limit, after, PublicRequests.session(req),
                PublicRequests.strataHeaders(req, false));
    }

    private static String decodedText(String raw) {
        return raw == null ? null : new String(PercentCoding.decodeQueryValue(raw), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] bound(String raw, String name) {
        if (raw == null) {
            return new byte[0];
        }
        try {
            return PercentCoding.decodeQueryValue(raw);
        } catch (RequestException e) {
            throw RequestException.invalid("bad_" + name, "bad percent-encoding in " + name + "=");
        }
    }

    private static byte[] emptyToNull(byte[] b) {
        return b.length == 0 ? null : b;
    }

    /** The smallest key greater than every key starting with {@code prefix}; null if there is none (all 0xFF). */
    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if ((prefix[i] & 0xFF) != 0xFF) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return null;
    }

    static String encodeToken(byte[] lastKey) {
        byte[] t = new byte[lastKey.length + 1];
        t[0] = TOKEN_V1;
        System.arraycopy(lastKey, 0, t, 1, lastKey.length);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(t);
    }

    static byte[] decodeToken(String token) {
        byte[] t;
        try {
            t = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            t = new byte[0];
        }
        if (t.length < 2 || t[0] != TOKEN_V1) {
            throw RequestException.invalid("bad_continuation", "continuation is not a token this API returned");
        }
        return Arrays.copyOfRange(t, 1, t.length);
    }

    // ------------------------------------------------------------------------------ merging

    private record Entry(byte[] key, JsonNode json) {
    }

    /** One partition's side of the merge: entries fetched but not yet emitted, and where its next page starts. */
    private static final class Source {
        final int partitionId;
        final Deque<Entry> buffer = new ArrayDeque<>();
        String nextCursor; // base64url of the last key of the previous page; null before the first page
        boolean exhausted;

        Source(int partitionId) {
            this.partitionId = partitionId;
        }
    }

    /** A page fetch that failed; carries the answer to give (or a map change to restart on). */
    private static final class PageFailure extends Exception {
        final Answer answer;
        final boolean mapChanged;

        PageFailure(Answer answer, boolean mapChanged) {
            super(null, null, false, false);
            this.answer = answer;
            this.mapChanged = mapChanged;
        }
    }

    private Answer run(Scan s) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        byte[] last = s.after();
        boolean more = false;
        int restarts = 0;
        while (true) {
            ClusterView view = router.map().view();
            KeyspaceRoutes ks = view.keyspace(s.ks().keyspace().name()).orElse(null);
            if (ks == null) {
                return Answer.error(ErrorCode.KEYSPACE_NOT_FOUND, "keyspace " + s.ks().keyspace().name() + " does not exist");
            }
            List<Source> sources = new ArrayList<>();
            for (PartitionRecord p : ks.routed()) {
                Source src = new Source(p.partitionId());
                if (last != null) {
                    src.nextCursor = Base64.getUrlEncoder().withoutPadding().encodeToString(last);
                }
                sources.add(src);
            }
            try {
                more = merge(s, sources, out);
                break;
            } catch (PageFailure f) {
                if (!f.mapChanged || ++restarts > MAX_RESTARTS || System.nanoTime() - s.deadline() >= 0) {
                    return f.answer;
                }
                if (!out.isEmpty()) {
                    last = keyOf(out.getLast());
                }
                router.map().awaitChange(view.generation(), java.time.Duration.ofMillis(50));
            }
        }
        ObjectNode body = ErrorResponses.JSON.createObjectNode();
        ArrayNode entries = body.putArray("entries");
        out.forEach(entries::add);
        body.put("continuation", more && !out.isEmpty() ? encodeToken(keyOf(out.getLast())) : null);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Strata-Consistency", s.consistency());
        try {
            return new Answer(200, headers, "application/json", ErrorResponses.JSON.writeValueAsBytes(body), null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Merges into {@code out} until the limit; true if entries remain after what it emitted. */
    private boolean merge(Scan s, List<Source> sources, List<JsonNode> out) throws PageFailure, InterruptedException {
        while (true) {
            List<Source> dry = sources.stream().filter(x -> x.buffer.isEmpty() && !x.exhausted).toList();
            if (out.size() >= s.limit()) {
                return !dry.isEmpty() || sources.stream().anyMatch(x -> !x.buffer.isEmpty());
            }
            fetch(s, dry, s.limit() - out.size());
            Source min = null;
            for (Source x : sources) {
                if (!x.buffer.isEmpty() && (min == null
                        || Arrays.compareUnsigned(x.buffer.peekFirst().key(), min.buffer.peekFirst().key()) < 0)) {
                    min = x;
                }
            }
            if (min == null) {
                return false; // every partition exhausted
            }
            out.add(min.buffer.pollFirst().json());
        }
    }

    /** Fetches the next page of each source, concurrently. */
    private void fetch(Scan s, List<Source> dry, int want) throws PageFailure, InterruptedException {
        if (dry.isEmpty()) {
            return;
        }
        List<Future<Answer>> answers = new ArrayList<>(dry.size());
        for (Source src : dry) {
            KvRequest r = pageRequest(s, src, want);
            answers.add(executor.submit(() -> router.route(r)));
        }
        for (int i = 0; i < dry.size(); i++) {
            Answer a;
            try {
                a = answers.get(i).get();
            } catch (ExecutionException e) {
                LOG.error("a scan page failed", e.getCause());
                throw new PageFailure(Answer.error(ErrorCode.INTERNAL, String.valueOf(e.getCause())), false);
            }
            if (a.status() != 200) {
                ErrorBody err = BatchServlet.errorOf(a);
                boolean changed = err.code() == ErrorCode.PARTITION_NOT_FOUND
                        && Router.MAP_CHANGED.equals(err.details().get("reason"));
                throw new PageFailure(a, changed);
            }
            accept(dry.get(i), a);
        }
    }

    private static void accept(Source src, Answer a) throws PageFailure {
        JsonNode body;
        try {
            body = ErrorResponses.JSON.readTree(a.body());
        } catch (IOException e) {
            body = null;
        }
        JsonNode entries = body == null ? null : body.get("entries");
        if (entries == null || !entries.isArray()) {
            throw new PageFailure(Answer.error(ErrorCode.INTERNAL, "partition " + src.partitionId
                    + " answered a scan page without entries"), false);
        }
        for (JsonNode e : entries) {
            src.buffer.addLast(new Entry(keyOf(e), e));
        }
        JsonNode next = body.get("next");
        if (next == null || next.isNull() || entries.isEmpty()) { // an empty page that says "more" would loop
            src.exhausted = true;
        } else {
            src.nextCursor = next.asText();
        }
    }

    private static byte[] keyOf(JsonNode entry) {
        try {
            return entry.get("key").binaryValue();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("a node's scan entry has no base64 key: " + entry, e);
        }
    }

    private KvRequest pageRequest(Scan s, Source src, int want) {
        StringBuilder q = new StringBuilder("partition=").append(src.partitionId);
        if (s.from() != null) {
            q.append("&start=").append(PercentCoding.encodeForNodeParameter(s.from()));
        }
        if (s.to() != null) {
            q.append("&end=").append(PercentCoding.encodeForNodeParameter(s.to()));
        }
        q.append("&limit=").append(want);
        if (src.nextCursor != null) {
            q.append("&cursor=").append(src.nextCursor);
        }
        String ks = s.ks().keyspace().name();
        return new KvRequest("scan", "GET", false, ks, null, src.partitionId, "/v1/scan/" + ks, s.consistency(),
                q.toString(), s.headers(), new byte[0], null, null, s.session(), false, s.deadline());
    }
}
