package io.stratakv.it.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The public data API of a balancer as the workload uses it, with every answer classified the way
 * a history needs it: a definite outcome ({@link Outcome#OK}, {@link Outcome#FAIL}) or an
 * unknown one ({@link Outcome#INFO}).
 *
 * <p>Classification of writes (Jepsen: a timeout is never a failure):
 * <ul>
 *   <li>200: OK; 412 PRECONDITION_FAILED: FAIL (the condition was decided at apply time);
 *   <li>other 4xx and 503: FAIL, the request was refused before it was appended (the balancer turns
 *       a write with any ambiguous attempt into 504, never 503);
 *   <li>504 (TIMEOUT_UNKNOWN_OUTCOME, REPLICATION_INCOMPLETE), other 5xx, a timeout, a connection
 *       lost after the request was sent: INFO;
 *   <li>a connection that could not be opened: FAIL (nothing was sent).
 * </ul>
 * Reads: 200 a value, 404 KEY_NOT_FOUND absent, anything else FAIL (a read that did not return has
 * no effect on the register).
 */
public final class KvHttp {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Outcome { OK, FAIL, INFO }

    /**
     * @param value      a read's value (null: absent)
     * @param version    {@code X-Strata-Version} (a read's or write's new version), -1 if none
     * @param epoch      the leader epoch a write was accepted in (from the node's answer), -1 if none
     * @param offset     the write's log offset, -1 if none
     * @param partition  {@code X-Strata-Partition}, -1 if none
     * @param node       {@code X-Strata-Node}: the node that answered, if the balancer says
     * @param error      why FAIL or INFO: status and error code
     */
    public record Answer(Outcome outcome, int status, String value, long version, long epoch, long offset,
                         int partition, Optional<String> node, boolean duplicate, String error) {
    }

    private final HttpClient http;
    private final URI base;
    private final String path;
    private final Duration requestTimeout;

    /** Through a balancer ({@code /v1/kv/{key}}, keyspace {@code default}). */
    public KvHttp(URI balancer, Duration requestTimeout) {
        this(balancer, "/v1/kv/", requestTimeout);
    }

    /** Straight to one node's data API ({@code /v1/kv/default/{key}}), bypassing the balancer's routing. */
    public static KvHttp direct(URI node, Duration requestTimeout) {
        return new KvHttp(node, "/v1/kv/default/", requestTimeout);
    }

    private KvHttp(URI base, String path, Duration requestTimeout) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).version(HttpClient.Version.HTTP_1_1).build();
        this.base = base;
        this.path = path;
        this.requestTimeout = requestTimeout;
    }

    private URI uri(String key, String query) {
        return base.resolve(path + URLEncoder.encode(key, StandardCharsets.UTF_8) + "?" + query
                + "&timeoutMs=" + requestTimeout.toMillis());
    }

    /** A STRONG read. */
    public Answer read(String key) {
        HttpRequest req = HttpRequest.newBuilder(uri(key, "consistency=STRONG")).timeout(clientTimeout()).GET().build();
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return transportFailure(e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(0, "interrupted");
        }
        long version = header(r, "X-Strata-Version");
        int partition = (int) header(r, "X-Strata-Partition");
        if (r.statusCode() == 200) {
            return new Answer(Outcome.OK, 200, r.body(), version, -1, -1, partition, node(r), false, null);
        }
        String code = code(r.body());
        if (r.statusCode() == 404 && "KEY_NOT_FOUND".equals(code)) {
            return new Answer(Outcome.OK, 404, null, 0, -1, -1, partition, node(r), false, null);
        }
        return new Answer(Outcome.FAIL, r.statusCode(), null, -1, -1, -1, partition, node(r), false,
                r.statusCode() + " " + code);
    }

    /**
     * A PUT at {@code consistency}; {@code ifVersion} >= 0 makes it a compare-and-set (0: only if absent).
     * {@code requestId} goes in {@code X-Request-Id}: a retry of this write by the balancer applies once.
     */
    public Answer write(String key, String value, String consistency, long ifVersion, String requestId) {
        String q = "consistency=" + consistency + (ifVersion >= 0 ? "&ifVersion=" + ifVersion : "");
        HttpRequest req = HttpRequest.newBuilder(uri(key, q)).timeout(clientTimeout())
                .header("X-Request-Id", requestId)
                .PUT(HttpRequest.BodyPublishers.ofString(value)).build();
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return transportFailure(e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Outcome.INFO, 0, null, -1, -1, -1, -1, Optional.empty(), false, "interrupted");
        }
        int status = r.statusCode();
        int partition = (int) header(r, "X-Strata-Partition");
        if (status == 200) {
            try {
                JsonNode b = JSON.readTree(r.body());
                return new Answer(Outcome.OK, 200, null, b.path("version").asLong(header(r, "X-Strata-Version")),
                        b.path("epoch").asLong(-1), b.path("offset").asLong(-1), partition, node(r),
                        b.path("duplicate").asBoolean(false), null);
            } catch (IOException e) {
                // Acknowledged, but the body is unreadable: the write happened; the metadata is unknown.
                return new Answer(Outcome.OK, 200, null, header(r, "X-Strata-Version"), -1, -1, partition, node(r),
                        false, null);
            }
        }
        String code = code(r.body());
        Outcome o = status == 412 || (status >= 400 && status < 500) || status == 503 ? Outcome.FAIL : Outcome.INFO;
        return new Answer(o, status, null, -1, -1, -1, partition, node(r), false, status + " " + code);
    }

    private Duration clientTimeout() {
        return requestTimeout.plusSeconds(2);
    }

    private static Answer transportFailure(IOException e, boolean write) {
        // Nothing was sent when the connection could not be opened: a definite failure.
        boolean notSent = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || (e.getCause() instanceof ConnectException);
        Outcome o = notSent || !write ? Outcome.FAIL : Outcome.INFO;
        return new Answer(o, 0, null, -1, -1, -1, -1, Optional.empty(), false, e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private static Answer fail(int status, String why) {
        return new Answer(Outcome.FAIL, status, null, -1, -1, -1, -1, Optional.empty(), false, why);
    }

    private static long header(HttpResponse<?> r, String name) {
        try {
            return r.headers().firstValue(name).map(Long::parseLong).orElse(-1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Optional<String> node(HttpResponse<?> r) {
        return r.headers().firstValue("X-Strata-Node");
    }

    private static String code(String body) {
        try {
            return JSON.readTree(body).path("code").asText("?");
        } catch (IOException e) {
            return "?";
        }
    }
}
