package io.stratakv.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An in-memory server that follows the balancer's public API contract (balancer/README.md plus
 * batch, scan and X-Strata-Session): real HTTP on loopback, so the client's encoding, headers,
 * retries and failover are exercised for real. Keys are stored as ISO-8859-1 strings of their
 * bytes, which sort like unsigned bytes. Faults queued with {@link #failNext} answer the next
 * requests instead of the store (a write fault of kind {@code APPLY_THEN_504} applies the write
 * first, like a leader whose commit outlived the request).
 */
final class FakeBalancer implements AutoCloseable {

    static final int PARTITIONS = 4;
    static final long EPOCH = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> WRITE_LEVELS = Set.of("ONE", "QUORUM", "ALL");
    private static final Set<String> READ_LEVELS = Set.of("STRONG", "SESSION", "EVENTUAL");

    /** One request as the fake saw it. */
    record Seen(String method, String path, Map<String, String> query, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    /** A canned answer for the next request. */
    record Fault(int status, String code, boolean retryable, String retryAfter, boolean applyFirst, String rawBody) {
        static Fault error(int status, String code, boolean retryable) {
            return new Fault(status, code, retryable, null, false, null);
        }

        static Fault unavailable(String retryAfterSeconds) {
            return new Fault(503, "PARTITION_UNAVAILABLE", true, retryAfterSeconds, false, null);
        }

        static Fault applyThen504() {
            return new Fault(504, "TIMEOUT_UNKNOWN_OUTCOME", true, null, true, null);
        }

        static Fault notOurs(int status) {
            return new Fault(status, null, false, null, false, "<html>bad gateway</html>");
        }
    }

    private record Entry(byte[] value, long version) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final Map<String, NavigableMap<String, Entry>> data = new HashMap<>();
    private final Map<String, ObjectNode> answered = new HashMap<>();
    private long offset = 100;
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();
    /** How many times a write with each request id was applied (a correct client retry applies once). */
    final Map<String, Integer> applications = Collections.synchronizedMap(new HashMap<>());

    FakeBalancer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void failNext(Fault f) {
        faults.add(f);
    }

    synchronized void putDirect(String ks, String key, String value) {
        store(ks).put(k(key.getBytes(StandardCharsets.UTF_8)), new Entry(value.getBytes(StandardCharsets.UTF_8), ++offset));
    }

    synchronized int size(String ks) {
        return store(ks).size();
    }

    List<Seen> seen(String method) {
        return seen.stream().filter(s -> s.method().equals(method)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    static int partitionOf(byte[] key) {
        return Math.floorMod(Arrays.hashCode(key), PARTITIONS);
    }

    // ------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String rawPath = ex.getRequestURI().getRawPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            Map<String, String> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            byte[] body = readAll(ex.getRequestBody());
            seen.add(new Seen(ex.getRequestMethod(), rawPath, query, headers));
            String timeout = query.get("timeoutMs");
            if (timeout == null || Long.parseLong(timeout) < 1 || Long.parseLong(timeout) > 30_000) {
                error(ex, 400, "INVALID_ARGUMENT", false, "timeoutMs '" + timeout + "' must be 1..30000", Map.of());
                return;
            }
            Fault f = faults.poll();
            if (f != null && !f.applyFirst()) {
                if (f.rawBody() != null) {
                    send(ex, f.status(), Map.of(), f.rawBody().getBytes(StandardCharsets.UTF_8));
                } else {
                    if (f.retryAfter() != null) {
                        ex.getResponseHeaders().add("Retry-After", f.retryAfter());
                    }
                    error(ex, f.status(), f.code(), f.retryable(), "injected", Map.of());
                }
                return;
            }
            route(ex, rawPath, query, headers, body, f);
        } catch (RuntimeException e) {
            error(ex, 500, "INTERNAL", false, e.toString(), Map.of());
        }
    }

    private void route(HttpExchange ex, String path, Map<String, String> q, Map<String, String> h, byte[] body, Fault f)
            throws IOException {
        String method = ex.getRequestMethod();
        if (path.equals("/v1/cluster")) {
            send(ex, 200, Map.of(), "{\"generation\":1,\"loaded\":true,\"nodes\":[],\"keyspaces\":[],\"partitions\":[]}"
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (path.startsWith("/v1/scan")) {
            String ks = path.equals("/v1/scan") ? "default" : path.substring("/v1/scan/".length());
            if (!checkLevel(ex, q, READ_LEVELS)) {
                return;
            }
            scan(ex, ks, q);
            return;
        }
        if (!path.startsWith("/v1/kv/")) {
            error(ex, 404, "NOT_FOUND", false, "no route " + path, Map.of());
            return;
        }
        String rest = path.substring("/v1/kv/".length());
        if (rest.endsWith(":batchGet") || rest.endsWith(":batchPut")) {
            String ks = rest.substring(0, rest.indexOf(':'));
            boolean put = rest.endsWith(":batchPut");
            if (!checkLevel(ex, q, put ? WRITE_LEVELS : READ_LEVELS)) {
                return;
            }
            if (put) {
                batchPut(ex, ks, h.get("x-request-id"), JSON.readTree(body), f);
            } else {
                batchGet(ex, ks, JSON.readTree(body));
            }
            return;
        }
        int slash = rest.indexOf('/');
        String ks = slash < 0 ? "default" : rest.substring(0, slash);
        byte[] key = percentDecode(slash < 0 ? rest : rest.substring(slash + 1));
        boolean write = !method.equals("GET");
        if (!checkLevel(ex, q, write ? WRITE_LEVELS : READ_LEVELS)) {
            return;
        }
        int pid = partitionOf(key);
        ex.getResponseHeaders().add("X-Strata-Partition", Integer.toString(pid));
        ex.getResponseHeaders().add("X-Strata-Epoch", Long.toString(EPOCH));
        if (!write) {
            Entry e;
            synchronized (this) {
                e = store(ks).get(k(key));
            }
            if (e == null) {
                error(ex, 404, "KEY_NOT_FOUND", false, "no key", Map.of());
                return;
            }
            ex.getResponseHeaders().add("X-Strata-Version", Long.toString(e.version()));
            send(ex, 200, Map.of(), e.value());
            return;
        }
        String requestId = h.get("x-request-id");
        ObjectNode result;
        synchronized (this) {
            ObjectNode prior = requestId == null ? null : answered.get(requestId);
            if (prior != null) {
                result = prior.deepCopy().put("duplicate", true);
            } else {
                Entry cur = store(ks).get(k(key));
                long curVersion = cur == null ? 0 : cur.version();
                if (q.containsKey("ifVersion") && Long.parseLong(q.get("ifVersion")) != curVersion) {
                    error(ex, 412, "PRECONDITION_FAILED", false, "version is " + curVersion,
                            Map.of("currentVersion", Long.toString(curVersion)));
                    return;
                }
                long off = ++offset;
                if (method.equals("DELETE")) {
                    store(ks).remove(k(key));
                } else {
                    store(ks).put(k(key), new Entry(body, off));
                }
                applications.merge(requestId == null ? "?" : requestId, 1, Integer::sum);
                result = JSON.createObjectNode().put("offset", off).put("epoch", EPOCH)
                        .put("version", method.equals("DELETE") ? 0 : off).put("duplicate", false);
                if (requestId != null) {
                    answered.put(requestId, result);
                }
            }
        }
        if (f != null) { // applied, but the answer is lost in a 504
            error(ex, f.status(), f.code(), f.retryable(), "injected after applying", Map.of());
            return;
        }
        ex.getResponseHeaders().add("X-Strata-Version", result.get("version").asText());
        ex.getResponseHeaders().add("X-Strata-Position", EPOCH + ":" + result.get("offset").asText());
        ex.getResponseHeaders().add("X-Strata-Consistency", q.getOrDefault("consistency", "QUORUM"));
        send(ex, 200, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(result));
    }

    private synchronized void batchGet(HttpExchange ex, String ks, JsonNode body) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode results = out.putArray("results");
        for (JsonNode k : body.path("keys")) {
            byte[] key = Base64.getDecoder().decode(k.asText());
            Entry e = store(ks).get(k(key));
            ObjectNode r = results.addObject().put("key", k.asText()).put("found", e != null);
            if (e != null) {
                r.put("value", Base64.getEncoder().encodeToString(e.value())).put("version", e.version());
            }
        }
        send(ex, 200, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(out));
    }

    private void batchPut(HttpExchange ex, String ks, String requestId, JsonNode body, Fault f) throws IOException {
        ObjectNode out;
        synchronized (this) {
            ObjectNode prior = requestId == null ? null : answered.get(requestId);
            if (prior != null) {
                out = prior.deepCopy();
                out.withArray("results").forEach(r -> ((ObjectNode) r).put("duplicate", true));
            } else {
                out = JSON.createObjectNode();
                ArrayNode results = out.putArray("results");
                for (JsonNode item : body.path("items")) {
                    byte[] key = Base64.getDecoder().decode(item.path("key").asText());
                    Entry cur = store(ks).get(k(key));
                    long curVersion = cur == null ? 0 : cur.version();
                    ObjectNode r = results.addObject().put("key", item.path("key").asText())
                            .put("partition", partitionOf(key)).put("epoch", EPOCH);
                    if (item.has("ifVersion") && item.get("ifVersion").asLong() != curVersion) {
                        r.put("status", "PRECONDITION_FAILED").put("version", curVersion);
                        continue;
                    }
                    long off = ++offset;
                    if (item.path("delete").asBoolean(false)) {
                        store(ks).remove(k(key));
                        r.put("version", 0);
                    } else {
                        store(ks).put(k(key), new Entry(Base64.getDecoder().decode(item.path("value").asText()), off));
                        r.put("version", off);
                    }
                    r.put("status", "APPLIED").put("offset", off).put("duplicate", false);
                }
                applications.merge(requestId == null ? "?" : requestId, 1, Integer::sum);
                if (requestId != null) {
                    answered.put(requestId, out);
                }
            }
        }
        if (f != null) {
            error(ex, f.status(), f.code(), f.retryable(), "injected after applying", Map.of());
            return;
        }
        send(ex, 200, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(out));
    }

    private synchronized void scan(HttpExchange ex, String ks, Map<String, String> q) throws IOException {
        NavigableMap<String, Entry> m = store(ks);
        String from;
        String to = null;
        String prefix = null;
        if (q.containsKey("prefix")) {
            prefix = k(percentDecode(q.get("prefix")));
            from = prefix;
        } else {
            from = k(percentDecode(q.getOrDefault("start", "")));
            to = q.containsKey("end") ? k(percentDecode(q.get("end"))) : null;
        }
        int limit = Integer.parseInt(q.getOrDefault("limit", "100"));
        NavigableMap<String, Entry> view = m.tailMap(from, true);
        if (q.containsKey("continuation")) {
            String after = k(Base64.getUrlDecoder().decode(percentDecodeString(q.get("continuation"))));
            view = m.tailMap(after, false);
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode entries = out.putArray("entries");
        String last = null;
        boolean more = false;
        for (Map.Entry<String, Entry> e : view.entrySet()) {
            if ((prefix != null && !e.getKey().startsWith(prefix)) || (to != null && e.getKey().compareTo(to) >= 0)) {
                break;
            }
            if (entries.size() == limit) {
                more = true;
                break;
            }
            entries.addObject().put("key", Base64.getEncoder().encodeToString(e.getKey().getBytes(StandardCharsets.ISO_8859_1)))
                    .put("value", Base64.getEncoder().encodeToString(e.getValue().value()))
                    .put("version", e.getValue().version());
            last = e.getKey();
        }
        if (more) {
            out.put("continuation", Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.ISO_8859_1)));
        } else {
            out.putNull("continuation");
        }
        send(ex, 200, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(out));
    }

    private boolean checkLevel(HttpExchange ex, Map<String, String> q, Set<String> levels) throws IOException {
        String c = q.get("consistency");
        if (c != null && !levels.contains(c)) {
            error(ex, 400, "INVALID_ARGUMENT", false, "consistency '" + c + "' is not one of " + levels, Map.of());
            return false;
        }
        return true;
    }

    private NavigableMap<String, Entry> store(String ks) {
        return data.computeIfAbsent(ks, x -> new TreeMap<>());
    }

    private static String k(byte[] key) {
        return new String(key, StandardCharsets.ISO_8859_1);
    }

    private static void error(HttpExchange ex, int status, String code, boolean retryable, String message,
                              Map<String, String> details) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("code", code).put("message", message).put("retryable", retryable);
        ObjectNode d = body.putObject("details");
        details.forEach(d::put);
        send(ex, status, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            out.put(eq < 0 ? part : part.substring(0, eq), eq < 0 ? "" : part.substring(eq + 1));
        }
        return out;
    }

    static byte[] percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static String percentDecodeString(String s) {
        return new String(percentDecode(s), StandardCharsets.UTF_8);
    }

    static List<String> keys(List<KeyValue> kvs) {
        List<String> out = new ArrayList<>();
        kvs.forEach(kv -> out.add(kv.keyAsString()));
        return out;
    }
}
