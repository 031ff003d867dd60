package io.stratakv.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The Java client of StrataKV's public API (the balancers; balancer/README.md).
 *
 * <pre>{@code
 * try (StrataClient client = StrataClient.builder()
 *         .balancers("http://10.0.0.1:8080", "http://10.0.0.2:8080")
 *         .keyspace("default")
 *         .timeout(Duration.ofSeconds(2))
 *         .build()) {
 *     WriteResult w = client.put("user:1", "alice");
 *     Optional<Versioned> v = client.get("user:1");
 *     client.compareAndSet("user:1", "bob".getBytes(UTF_8), v.get().version());
 *     client.scan(Scan.prefix("user:")).forEach(kv -> ...);
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Deadline.</b> Each call has one deadline (the client's {@code timeout}, or the call's
 *       {@link CallOptions#withTimeout}); every retry and the balancer's own retries fit in it.</li>
 *   <li><b>Retries.</b> Errors the server marks retryable, and attempts that got no answer, are
 *       retried with backoff and jitter while the deadline allows, failing over between the
 *       balancer endpoints. A write carries one request id (generated per call) on every attempt,
 *       so it applies at most once.</li>
 *   <li><b>Errors.</b> Everything else is a {@link StrataException} with the stable code. A write
 *       whose outcome is unknown at its deadline has {@code outcomeUnknown()}; it may have applied.
 *       A missing key is not an error: {@link #get} answers empty.</li>
 *   <li><b>SESSION.</b> The client remembers, per keyspace and partition, the log position of the
 *       newest write it saw acknowledged, and sends them with every read whose consistency is
 *       SESSION (or left to the keyspace's default): such reads see this client's own writes.</li>
 * </ul>
 * Thread-safe: share one client (it pools keep-alive HTTP/1.1 connections). Keys and values are
 * bytes; the {@code String} overloads use UTF-8.
 */
public final class StrataClient implements AutoCloseable {

    /** The keyspace a client uses unless told otherwise. */
    public static final String DEFAULT_KEYSPACE = "default";
    static final String REQUEST_ID = "X-Request-Id";
    static final String VERSION = "X-Strata-Version";
    static final String PARTITION = "X-Strata-Partition";
    static final String POSITION = "X-Strata-Position";
    private static final Pattern KEYSPACE_NAME = CallOptions.KEYSPACE_NAME;
    private static final String JSON_TYPE = "application/json";
    private static final String BYTES_TYPE = "application/octet-stream";

    private final BalancerTransport transport;
    private final HttpClient http;
    private final String keyspace;
    private final Duration timeout;
    private final WriteConsistency writeConsistency;
    private final ReadConsistency readConsistency;
    private final SessionTokens sessions = new SessionTokens();

    private StrataClient(Builder b) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.transport = new BalancerTransport(b.endpoints, http, b.serverMaxTimeout, b.responseGrace,
                b.backoffBase, b.backoffMax);
        this.keyspace = b.keyspace;
        this.timeout = b.timeout;
        this.writeConsistency = b.writeConsistency;
        this.readConsistency = b.readConsistency;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The keyspace calls use unless their options name another. */
    public String keyspace() {
        return keyspace;
    }

    /** The balancer endpoints, in failover order. */
    public List<URI> balancers() {
        return transport.endpoints();
    }

    // ---------------------------------------------------------------- reads

    public Optional<Versioned> get(String key) {
        return get(utf8(key), CallOptions.defaults());
    }

    public Optional<Versioned> get(byte[] key) {
        return get(key, CallOptions.defaults());
    }

    /** The key's value and version, or empty if it has none. */
    public Optional<Versioned> get(byte[] key, CallOptions options) {
        String ks = keyspace(options);
        Optional<ReadConsistency> c = read(options);
        BalancerTransport.Answer a = transport.execute(new BalancerTransport.Call("GET", kvPath(ks, key),
                consistencyQuery(c), null, null, readHeaders(ks, c), false), deadline(options));
        if (a.ok()) {
            return Optional.of(new Versioned(a.body(), a.longHeader(VERSION).orElse(0)));
        }
        StrataException e = a.error();
        if (e.code() == ErrorCode.KEY_NOT_FOUND) {
            return Optional.empty();
        }
        throw e;
    }

    public List<BatchGetResult> batchGet(List<byte[]> keys) {
        return batchGet(keys, CallOptions.defaults());
    }

    /**
     * Reads many keys in one request (the balancer fans it out per partition). The results come
     * in the order of {@code keys}.
     */
    public List<BatchGetResult> batchGet(List<byte[]> keys, CallOptions options) {
        if (keys.isEmpty()) {
            return List.of();
        }
        String ks = keyspace(options);
        Optional<ReadConsistency> c = read(options);
        ObjectNode body = Wire.JSON.createObjectNode();
        ArrayNode arr = body.putArray("keys");
        keys.forEach(k -> arr.add(Wire.b64(k)));
        JsonNode answer = json(transport.execute(new BalancerTransport.Call("POST", batchPath(ks, "batchGet"),
                consistencyQuery(c), bytes(body), JSON_TYPE, readHeaders(ks, c), false), deadline(options)));
        List<BatchGetResult> out = new ArrayList<>(keys.size());
        for (JsonNode r : answer.path("results")) {
            byte[] key = Wire.unb64(r.path("key").asText(null));
            Optional<Versioned> v = r.path("found").asBoolean(false)
                    ? Optional.of(new Versioned(Wire.unb64(r.path("value").asText("")), r.path("version").asLong(0)))
                    : Optional.empty();
            out.add(new BatchGetResult(key, v));
        }
        if (out.size() != keys.size()) {
            throw protocolError("batchGet answered " + out.size() + " results for " + keys.size() + " keys");
        }
        return out;
    }

    /** Every entry the scan selects, fetched page by page as the stream is consumed. */
    public Stream<KeyValue> scan(Scan scan) {
        return scan(scan, CallOptions.defaults());
    }

    /**
     * Every entry the scan selects, in key order, fetched lazily page by page (each page is one
     * call with its own deadline). A failed page throws {@link StrataException} from the stream.
     */
    public Stream<KeyValue> scan(Scan scan, CallOptions options) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(scanIterator(scan, options),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** As {@link #scan(Scan, CallOptions)}, as an iterator. */
    public Iterator<KeyValue> scanIterator(Scan scan, CallOptions options) {
        return new ScanIterator(scan, options);
    }

    /** One page of a scan: pass the previous page's continuation to get the next. */
    public ScanPage scanPage(Scan scan, Optional<String> continuation, CallOptions options) {
        return scanPage(scan, continuation, scan.pageSize(), options);
    }

    private ScanPage scanPage(Scan scan, Optional<String> continuation, int limit, CallOptions options) {
        String ks = keyspace(options);
        Optional<ReadConsistency> c = read(options);
        StringBuilder q = new StringBuilder(scan.query()).append("&limit=").append(limit);
        continuation.ifPresent(t -> q.append("&continuation=").append(Wire.percentEncode(utf8(t))));
        String cq = consistencyQuery(c);
        if (!cq.isEmpty()) {
            q.append('&').append(cq);
        }
        JsonNode answer = json(transport.execute(new BalancerTransport.Call("GET", "/v1/scan/" + ks, q.toString(),
                null, null, readHeaders(ks, c), false), deadline(options)));
        List<KeyValue> entries = new ArrayList<>();
        for (JsonNode e : answer.path("entries")) {
            entries.add(new KeyValue(Wire.unb64(e.path("key").asText(null)), Wire.unb64(e.path("value").asText("")),
                    e.path("version").asLong(0)));
        }
        JsonNode next = answer.get("continuation");
        return new ScanPage(entries, next == null || next.isNull() || next.asText().isEmpty()
                ? Optional.empty() : Optional.of(next.asText()));
    }

    // ---------------------------------------------------------------- writes

    public WriteResult put(String key, String value) {
        return put(utf8(key), utf8(value), CallOptions.defaults());
    }

    public WriteResult put(byte[] key, byte[] value) {
        return put(key, value, CallOptions.defaults());
    }

    /** Sets the key's value, whatever it was. */
    public WriteResult put(byte[] key, byte[] value, CallOptions options) {
        return write("PUT", key, Objects.requireNonNull(value, "value"), OptionalLong.empty(), options);
    }

    public WriteResult delete(String key) {
        return delete(utf8(key), CallOptions.defaults());
    }

    public WriteResult delete(byte[] key) {
        return delete(key, CallOptions.defaults());
    }

    /** Removes the key (a delete of a missing key succeeds); the key's version becomes 0. */
    public WriteResult delete(byte[] key, CallOptions options) {
        return write("DELETE", key, null, OptionalLong.empty(), options);
    }

    public WriteResult compareAndSet(String key, String value, long expectedVersion) {
        return compareAndSet(utf8(key), utf8(value), expectedVersion, CallOptions.defaults());
    }

    public WriteResult compareAndSet(byte[] key, byte[] value, long expectedVersion) {
        return compareAndSet(key, value, expectedVersion, CallOptions.defaults());
    }

    /**
     * Sets the value only if the key's version is {@code expectedVersion}; 0 means "only if the
     * key does not exist" (create). Otherwise throws {@code PRECONDITION_FAILED} with
     * {@link StrataException#currentVersion()}. Needs QUORUM or ALL (the condition is checked when
     * the write is applied, on every replica).
     */
    public WriteResult compareAndSet(byte[] key, byte[] value, long expectedVersion, CallOptions options) {
        return write("PUT", key, Objects.requireNonNull(value, "value"), ifVersion(expectedVersion), options);
    }

    /** {@code compareAndSet(key, value, 0)}: creates the key only if it does not exist. */
    public WriteResult putIfAbsent(byte[] key, byte[] value, CallOptions options) {
        return compareAndSet(key, value, 0, options);
    }

    /** Deletes the key only if its version is {@code expectedVersion}. */
    public WriteResult compareAndDelete(byte[] key, long expectedVersion, CallOptions options) {
        return write("DELETE", key, null, ifVersion(expectedVersion), options);
    }

    public List<BatchWriteResult> batchPut(List<BatchWrite> items) {
        return batchPut(items, CallOptions.defaults());
    }

    /**
     * Writes many keys in one request (the balancer fans it out per partition). Not atomic: each
     * item applies or fails its condition on its own; the results come in the order of
     * {@code items}. Retried as a whole with one request id, so no item applies twice.
     */
    public List<BatchWriteResult> batchPut(List<BatchWrite> items, CallOptions options) {
        if (items.isEmpty()) {
            return List.of();
        }
        String ks = keyspace(options);
        ObjectNode body = Wire.JSON.createObjectNode();
        ArrayNode arr = body.putArray("items");
        for (BatchWrite w : items) {
            ObjectNode item = arr.addObject().put("key", Wire.b64(w.key()));
            w.value().ifPresentOrElse(v -> item.put("value", Wire.b64(v)), () -> item.put("delete", true));
            w.ifVersion().ifPresent(v -> item.put("ifVersion", v));
        }
        BalancerTransport.Answer a = transport.execute(new BalancerTransport.Call("POST", batchPath(ks, "batchPut"),
                writeQuery(options, OptionalLong.empty()), bytes(body), JSON_TYPE, writeHeaders(), true), deadline(options));
        JsonNode answer = json(a);
        observeHeaders(ks, a);
        List<BatchWriteResult> out = new ArrayList<>(items.size());
        for (JsonNode r : answer.path("results")) {
            byte[] key = Wire.unb64(r.path("key").asText(null));
            Optional<StrataException> error = Optional.empty();
            BatchWriteResult.Status status;
            JsonNode err = r.get("error");
            if (err != null && err.isObject()) {
                status = BatchWriteResult.Status.FAILED;
                error = Optional.of(Wire.error(err.path("code").asText("").isEmpty() ? 500
                        : ErrorCode.fromName(err.path("code").asText()).httpStatus(), bytes(err), false));
            } else {
                status = BatchWriteResult.Status.parse(r.path("status").asText(null));
            }
            OptionalLong version = r.hasNonNull("version") ? OptionalLong.of(r.get("version").asLong())
                    : r.hasNonNull("currentVersion") ? OptionalLong.of(r.get("currentVersion").asLong()) : OptionalLong.empty();
            out.add(new BatchWriteResult(key, status, version, r.path("duplicate").asBoolean(false), error));
            observeItem(ks, r, answer);
        }
        if (out.size() != items.size()) {
            throw protocolError("batchPut answered " + out.size() + " results for " + items.size() + " items");
        }
        return out;
    }

    // ---------------------------------------------------------------- session

    /** The positions this client's SESSION reads of {@code keyspace} wait for, by partition. */
    public Map<Integer, Position> sessionPositions(String keyspace) {
        return sessions.snapshot(keyspace);
    }

    @Override
    public void close() {
        http.shutdownNow();
    }

    // ---------------------------------------------------------------- internals

    private WriteResult write(String method, byte[] key, byte[] value, OptionalLong ifVersion, CallOptions options) {
        String ks = keyspace(options);
        BalancerTransport.Answer a = transport.execute(new BalancerTransport.Call(method, kvPath(ks, key),
                writeQuery(options, ifVersion), value, value == null ? null : BYTES_TYPE, writeHeaders(), true),
                deadline(options));
        if (!a.ok()) {
            throw a.error();
        }
        Optional<JsonNode> body = Wire.parseJson(a.body());
        OptionalLong version = a.longHeader(VERSION);
        if (version.isEmpty() && body.isPresent() && body.get().hasNonNull("version")) {
            version = OptionalLong.of(body.get().get("version").asLong());
        }
        int partition = (int) a.longHeader(PARTITION).orElse(-1);
        Optional<Position> position = a.header(POSITION).flatMap(StrataClient::parsePosition);
        if (position.isEmpty() && body.isPresent() && body.get().hasNonNull("epoch") && body.get().hasNonNull("offset")) {
            position = Optional.of(new Position(body.get().get("epoch").asLong(), body.get().get("offset").asLong()));
        }
        position.ifPresent(p -> sessions.observe(ks, partition, p));
        return new WriteResult(version, partition, position,
                body.map(b -> b.path("duplicate").asBoolean(false)).orElse(false));
    }

    private void observeHeaders(String ks, BalancerTransport.Answer a) {
        OptionalLong pid = a.longHeader(PARTITION);
        Optional<Position> pos = a.header(POSITION).flatMap(StrataClient::parsePosition);
        if (pid.isPresent() && pos.isPresent()) {
            sessions.observe(ks, (int) pid.getAsLong(), pos.get());
        }
    }

    /** A batch item's own position, when the balancer reports one (partition, epoch, offset). */
    private void observeItem(String ks, JsonNode item, JsonNode answer) {
        JsonNode pid = item.has("partition") ? item.get("partition") : item.get("partitionId");
        JsonNode epoch = item.has("epoch") ? item.get("epoch") : answer.get("epoch");
        JsonNode offset = item.get("offset");
        if (pid == null || !pid.canConvertToInt() || epoch == null || !epoch.canConvertToLong()
                || offset == null || !offset.canConvertToLong()) {
            return;
        }
        if (epoch.asLong() >= 0 && offset.asLong() >= 0) {
            sessions.observe(ks, pid.asInt(), new Position(epoch.asLong(), offset.asLong()));
        }
    }

    private static Optional<Position> parsePosition(String s) {
        try {
            return Optional.of(Position.parse(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static OptionalLong ifVersion(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("expected version " + v + " must be >= 0 (0: the key must not exist)");
        }
        return OptionalLong.of(v);
    }

    private String keyspace(CallOptions o) {
        return o.keyspace().orElse(keyspace);
    }

    private Optional<ReadConsistency> read(CallOptions o) {
        return o.read().or(() -> Optional.ofNullable(readConsistency));
    }

    private long deadline(CallOptions o) {
        return System.nanoTime() + o.timeout().orElse(timeout).toNanos();
    }

    private static String consistencyQuery(Optional<? extends Enum<?>> c) {
        return c.map(v -> "consistency=" + v.name()).orElse("");
    }

    private String writeQuery(CallOptions o, OptionalLong ifVersion) {
        Optional<WriteConsistency> c = o.write().or(() -> Optional.ofNullable(writeConsistency));
        String q = consistencyQuery(c);
        if (ifVersion.isPresent()) {
            q = (q.isEmpty() ? "" : q + "&") + "ifVersion=" + ifVersion.getAsLong();
        }
        return q;
    }

    private static Map<String, String> writeHeaders() {
        return Map.of(REQUEST_ID, UUID.randomUUID().toString());
    }

    /** SESSION reads (also reads left to the keyspace's default, which may be SESSION) carry the tokens. */
    private Map<String, String> readHeaders(String ks, Optional<ReadConsistency> c) {
        if (c.isPresent() && c.get() != ReadConsistency.SESSION) {
            return Map.of();
        }
        Map<String, String> h = new LinkedHashMap<>();
        sessions.header(ks).ifPresent(v -> h.put(SessionTokens.HEADER, v));
        return h;
    }

    private static String kvPath(String ks, byte[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("a key must not be empty");
        }
        return "/v1/kv/" + ks + "/" + Wire.percentEncode(key);
    }

    private static String batchPath(String ks, String op) {
        return "/v1/kv/" + ks + ":" + op;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return Wire.JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(BalancerTransport.Answer a) {
        if (!a.ok()) {
            throw a.error();
        }
        return Wire.parseJson(a.body()).orElseThrow(() -> protocolError("expected a JSON answer, got "
                + a.body().length + " bytes (HTTP " + a.status() + ")"));
    }

    private static StrataException protocolError(String message) {
        return StrataException.of(ErrorCode.INTERNAL, "unexpected answer from the balancer: " + message, null);
    }

    /** Pages through a scan lazily; stops at the scan's limit or when no continuation is left. */
    private final class ScanIterator implements Iterator<KeyValue> {
        private final Scan scan;
        private final CallOptions options;
        private Iterator<KeyValue> page = List.<KeyValue>of().iterator();
        private Optional<String> continuation = Optional.empty();
        private boolean first = true;
        private long returned;

        ScanIterator(Scan scan, CallOptions options) {
            this.scan = scan;
            this.options = options;
        }

        @Override
        public boolean hasNext() {
            OptionalLong limit = scan.limit();
            if (limit.isPresent() && returned >= limit.getAsLong()) {
                return false;
            }
            while (!page.hasNext()) {
                if (!first && continuation.isEmpty()) {
                    return false;
                }
                int ask = scan.pageSize();
                if (limit.isPresent()) {
                    ask = (int) Math.min(ask, limit.getAsLong() - returned);
                }
                ScanPage p = scanPage(scan, continuation, ask, options);
                first = false;
                continuation = p.continuation();
                page = p.entries().iterator();
            }
            return true;
        }

        @Override
        public KeyValue next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            returned++;
            return page.next();
        }
    }

    /** Settings of a client; only the balancer endpoints are required. */
    public static final class Builder {
        private final List<URI> endpoints = new ArrayList<>();
        private String keyspace = DEFAULT_KEYSPACE;
        private Duration timeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration serverMaxTimeout = Duration.ofSeconds(30);
        private Duration responseGrace = Duration.ofMillis(500);
        private Duration backoffBase = Duration.ofMillis(20);
        private Duration backoffMax = Duration.ofSeconds(1);
        private WriteConsistency writeConsistency;
        private ReadConsistency readConsistency;

        private Builder() {
        }

        /** Adds a balancer endpoint ({@code http://host:port}); calls fail over between them in order. */
        public Builder balancer(String url) {
            String u = url.strip();
            while (u.endsWith("/")) {
                u = u.substring(0, u.length() - 1);
            }
            URI uri = URI.create(u);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("balancer '" + url + "' must be an http(s)://host:port URL");
            }
            endpoints.add(uri);
            return this;
        }

        public Builder balancers(String... urls) {
            for (String u : urls) {
                balancer(u);
            }
            return this;
        }

        /** Comma-separated endpoints, as in {@code strata.balancers} and {@code STRATA_BALANCER}. */
        public Builder balancers(List<String> urls) {
            urls.forEach(this::balancer);
            return this;
        }

        /** The keyspace calls use (default {@code default}). */
        public Builder keyspace(String ks) {
            if (!KEYSPACE_NAME.matcher(ks).matches()) {
                throw new IllegalArgumentException("keyspace '" + ks + "' must match " + KEYSPACE_NAME.pattern());
            }
            this.keyspace = ks;
            return this;
        }

        /** Each call's deadline unless the call sets its own (default 5 s). */
        public Builder timeout(Duration t) {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = t;
            return this;
        }

        /** Time to open a connection to a balancer before trying the next one (default 1 s). */
        public Builder connectTimeout(Duration t) {
            this.connectTimeout = t;
            return this;
        }

        /**
         * The largest {@code timeoutMs} the balancers accept ({@code requests.maxTimeout}, default
         * 30 s); a longer call deadline is spread over several attempts.
         */
        public Builder serverMaxTimeout(Duration t) {
            this.serverMaxTimeout = t;
            return this;
        }

        /** Backoff between retries: the first step and the largest (defaults 20 ms and 1 s). */
        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        /** Writes' consistency unless a call sets one (default: the keyspace's). */
        public Builder writeConsistency(WriteConsistency c) {
            this.writeConsistency = c;
            return this;
        }

        /** Reads' consistency unless a call sets one (default: the keyspace's). */
        public Builder readConsistency(ReadConsistency c) {
            this.readConsistency = c;
            return this;
        }

        public StrataClient build() {
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("at least one balancer endpoint is required");
            }
            return new StrataClient(this);
        }
    }
}
