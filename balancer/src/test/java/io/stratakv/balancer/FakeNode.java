package io.stratakv.balancer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A storage node's data API for tests: a JDK HTTP server on a real port that answers from a
 * script (one reply per request, then the default), and records every request it got. Its
 * {@code /healthcheck} (the admin endpoint; tests register the same port as admin port) answers
 * 200 or 500 per {@link #healthy} and is neither scripted nor recorded.
 */
final class FakeNode implements AutoCloseable {

    record Seen(String method, String path, String query, Map<String, String> headers, byte[] body, long atNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    record Reply(int status, Map<String, String> headers, byte[] body) {
        static Reply ok(String body) {
            return new Reply(200, Map.of("Content-Type", "application/octet-stream"), body.getBytes(StandardCharsets.UTF_8));
        }

        static Reply error(ErrorCode code, Map<String, String> details, Map<String, String> headers) {
            try {
                return new Reply(code.httpStatus(), headers, StrataJson.newMapper().writeValueAsBytes(
                        ErrorBody.of(code, "fake " + code, details)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Reply notLeader(String leader, long epoch) {
            return error(ErrorCode.NOT_LEADER, Map.of("leader", leader, "leaderEpoch", Long.toString(epoch)), Map.of());
        }

        static Reply unavailable(int retryAfterSeconds) {
            return error(ErrorCode.PARTITION_UNAVAILABLE, Map.of(), Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
        }

        /** Never answers (until the node closes): a node that stalls. */
        static final Reply HANG = new Reply(-1, Map.of(), new byte[0]);
    }

    final String id;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Deque<Reply> script = new ArrayDeque<>();
    private volatile Reply fallback = Reply.ok("value");
    private volatile java.util.function.Function<Seen, Reply> handler;
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    volatile boolean healthy = true;
    final java.util.concurrent.atomic.AtomicInteger healthPolls = new java.util.concurrent.atomic.AtomicInteger();

    FakeNode(String id) throws IOException {
        this.id = id;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Replies for the next requests, in order; afterwards {@link #always}. */
    synchronized FakeNode then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** Computes the reply of every request the script does not answer (instead of {@link #always}). */
    FakeNode handler(java.util.function.Function<Seen, Reply> h) {
        handler = h;
        return this;
    }

    FakeNode always(Reply reply) {
        fallback = reply;
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        if (ex.getRequestURI().getPath().equals("/healthcheck")) {
            healthPolls.incrementAndGet();
            ex.sendResponseHeaders(healthy ? 200 : 500, -1);
            ex.close();
            return;
        }
        byte[] body = ex.getRequestBody().readAllBytes();
        Map<String, String> headers = ex.getRequestHeaders().entrySet().stream().collect(Collectors.toMap(
                e -> e.getKey().toLowerCase(Locale.ROOT), e -> e.getValue().getFirst(), (a, b) -> a));
        Seen s = new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(),
                headers, body, System.nanoTime());
        seen.add(s);
        Reply r;
        synchronized (this) {
            r = script.poll();
        }
        if (r == null) {
            var h = handler;
            r = h != null ? h.apply(s) : fallback;
        }
        if (r == Reply.HANG) {
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
            return;
        }
        r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        if (r.body().length > 0) {
            ex.getResponseBody().write(r.body());
        }
        ex.close();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
