package io.stratakv.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratakv.client.StrataException;
import io.stratakv.zk.contract.ErrorCode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * JSON calls to the controllers' admin API ({@code /admin/v1/...}) and the balancer's
 * {@code /v1/cluster}. Several controller URLs may be given: a call goes to each in turn until
 * one answers something other than "not the active controller" or no connection.
 */
final class AdminHttp implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** A lost compare-and-set race with the controller's own writes is retried this many times. */
    private static final int CONFLICT_ATTEMPTS = 5;
    private static final long CONFLICT_BACKOFF_MS = 200;

    /**
     * The JSON answer of the first endpoint that answers; StrataException for an error answer.
     * CONCURRENT_MODIFICATION (the change raced with another of the same znode, say an election)
     * is retried a few times; every other error is the user's to see.
     */
    JsonNode call(List<String> bases, String method, String path, JsonNode body) {
        for (int attempt = 1; ; attempt++) {
            try {
                return callOnce(bases, method, path, body);
            } catch (StrataException e) {
                if (e.code() != ErrorCode.CONCURRENT_MODIFICATION || attempt >= CONFLICT_ATTEMPTS) {
                    throw e;
                }
            }
            try {
                Thread.sleep(CONFLICT_BACKOFF_MS * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw StrataException.of(ErrorCode.UNREACHABLE, "interrupted", e);
            }
        }
    }

    private JsonNode callOnce(List<String> bases, String method, String path, JsonNode body) {
        StrataException last = null;
        for (String base : bases) {
            try {
                return call(base, method, path, body);
            } catch (StrataException e) {
                last = e;
                if (e.code() != ErrorCode.NOT_ACTIVE_CONTROLLER && e.code() != ErrorCode.UNREACHABLE) {
                    throw e;
                }
            }
        }
        throw last;
    }

    JsonNode call(String base, String method, String path, JsonNode body) {
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        HttpRequest.Builder req;
        try {
            req = HttpRequest.newBuilder(URI.create(b + path)).timeout(TIMEOUT).header("Accept", "application/json");
        } catch (IllegalArgumentException e) {
            throw new CliException.Usage("bad URL '" + base + "': " + e.getMessage());
        }
        if (body != null) {
            try {
                req.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            req.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            // no answer at all
            throw StrataException.of(ErrorCode.UNREACHABLE, "cannot reach " + b + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StrataException.of(ErrorCode.UNREACHABLE, "interrupted", e);
        }
        if (resp.statusCode() >= 300) {
            throw StrataException.fromAnswer(resp.statusCode(), resp.body());
        }
        if (resp.body().length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(resp.body());
        } catch (IOException e) {
            throw StrataException.of(ErrorCode.INTERNAL, b + path + " did not answer JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        http.shutdownNow();
    }
}
