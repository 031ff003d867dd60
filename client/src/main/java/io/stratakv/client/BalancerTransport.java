package io.stratakv.client;

import io.stratakv.zk.contract.ErrorCode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends one call to the balancers and retries it within its deadline.
 *
 * <p>Rules (what must always hold):
 * <ul>
 *   <li>Every attempt of a call is the same HTTP request: a write carries the one request id the
 *       call generated, so the nodes apply it at most once however often it is sent.</li>
 *   <li>A call is retried only while its deadline allows, and each attempt tells the balancer the
 *       time left ({@code timeoutMs}), so the balancer's own retries stay inside it too.</li>
 *   <li>Retried: answers whose error body says {@code retryable} (after {@code Retry-After} when
 *       given; if that passes the deadline the error is answered at once) and attempts that got no
 *       answer. Never retried: anything else; it is returned to the caller.</li>
 *   <li>A write whose attempts include one that may have reached a balancer without an answer
 *       (timeout, connection lost after sending, a 504), and that ends without a definite
 *       answer, fails with {@code TIMEOUT_UNKNOWN_OUTCOME} ({@code outcomeUnknown()}), never with
 *       a plain failure. A connection that was refused never sent anything.</li>
 *   <li>Failover: the client sticks to one balancer endpoint; an endpoint that cannot be reached
 *       (or answers a non-StrataKV 5xx) moves every caller to the next one. After a whole round of
 *       unreachable endpoints the call backs off before the next round.</li>
 * </ul>
 * Thread-safe; one instance is shared by every call of a client.
 */
final class BalancerTransport {

    /** One HTTP request of a call, repeated as is on every attempt (apart from {@code timeoutMs}). */
    record Call(String method, String path, String query, byte[] body, String contentType, Map<String, String> headers,
                boolean write) {
    }

    /** An HTTP answer: 2xx, or an error that is not retried (see {@link #error()}). */
    record Answer(int status, HttpHeaders headers, byte[] body, boolean outcomeUnknown) {
        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        OptionalLong longHeader(String name) {
            Optional<String> v = header(name);
            if (v.isEmpty()) {
                return OptionalLong.empty();
            }
            try {
                return OptionalLong.of(Long.parseLong(v.get().trim()));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }

        StrataException error() {
            return Wire.error(status, body, outcomeUnknown);
        }
    }

    private final List<URI> endpoints;
    private final AtomicInteger preferred = new AtomicInteger();
    private final HttpClient http;
    private final long serverMaxTimeoutMs;
    private final Duration responseGrace;
    private final long backoffBaseNanos;
    private final long backoffMaxNanos;

    BalancerTransport(List<URI> endpoints, HttpClient http, Duration serverMaxTimeout, Duration responseGrace,
                      Duration backoffBase, Duration backoffMax) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one balancer endpoint is required");
        }
        this.endpoints = List.copyOf(endpoints);
        this.http = http;
        this.serverMaxTimeoutMs = serverMaxTimeout.toMillis();
        this.responseGrace = responseGrace;
        this.backoffBaseNanos = backoffBase.toNanos();
        this.backoffMaxNanos = backoffMax.toNanos();
    }

    List<URI> endpoints() {
        return endpoints;
    }

    /** The endpoint calls go to now. */
    URI current() {
        return endpoints.get(preferred.get());
    }

    /**
     * Runs the call until it gets a 2xx or an error that is not retried (both returned), or its
     * deadline passes (thrown).
     *
     * @param deadlineNanos on the {@link System#nanoTime()} clock
     */
    Answer execute(Call call, long deadlineNanos) {
        int backoffs = 0;
        int unreachableInRow = 0;
        boolean unknown = false;
        StrataException last = null;
        while (true) {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw giveUp(call, last, unknown);
            }
            int index = preferred.get();
            URI base = endpoints.get(index);
            long remainingMs = Math.max(1, (remaining + 999_999) / 1_000_000);
            HttpRequest request = request(base, call, Math.min(remainingMs, serverMaxTimeoutMs),
                    Duration.ofMillis(remainingMs).plus(responseGrace));
            HttpResponse<byte[]> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (ConnectException | HttpConnectTimeoutException e) {
                // Never connected: nothing was sent, so even a write's outcome is known (not applied).
                last = StrataException.of(ErrorCode.UNREACHABLE, "cannot connect to balancer " + base + ": " + e, e);
                failover(index);
                if (++unreachableInRow % endpoints.size() != 0) {
                    continue;
                }
                backoff(backoffs++, deadlineNanos);
                continue;
            } catch (IOException e) {
                // Timed out or lost after connecting: a write may have been received.
                if (call.write()) {
                    unknown = true;
                    last = StrataException.of(ErrorCode.TIMEOUT_UNKNOWN_OUTCOME, "no answer from balancer " + base
                            + " (" + e + "); the write may or may not have applied", e);
                } else {
                    last = StrataException.of(ErrorCode.UNREACHABLE, "no answer from balancer " + base + ": " + e, e);
                }
                failover(index);
                if (++unreachableInRow % endpoints.size() != 0) {
                    continue;
                }
                backoff(backoffs++, deadlineNanos);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw call.write()
                        ? StrataException.of(ErrorCode.TIMEOUT_UNKNOWN_OUTCOME, "interrupted; the write may or may not have applied", e)
                        : StrataException.of(ErrorCode.UNREACHABLE, "interrupted", e);
            }
            unreachableInRow = 0;
            Answer answer = new Answer(response.statusCode(), response.headers(), response.body(), unknown);
            if (answer.ok()) {
                return answer;
            }
            StrataException error = answer.error();
            if (error.code() == ErrorCode.TIMEOUT_UNKNOWN_OUTCOME && call.write()) {
                unknown = true;
            }
            if (!error.retryable()) {
                return new Answer(answer.status(), answer.headers(), answer.body(), unknown);
            }
            last = error;
            if (Wire.parseJson(answer.body()).map(n -> !n.has("code")).orElse(true)) {
                // A 5xx that is not a StrataKV answer (a proxy, a balancer shutting down): try another.
                failover(index);
            }
            OptionalLong retryAfter = retryAfterNanos(answer);
            if (retryAfter.isPresent()) {
                if (System.nanoTime() + retryAfter.getAsLong() >= deadlineNanos) {
                    throw giveUp(call, last, unknown);
                }
                sleep(retryAfter.getAsLong());
            } else {
                backoff(backoffs++, deadlineNanos);
            }
        }
    }

    private HttpRequest request(URI base, Call call, long serverTimeoutMs, Duration httpTimeout) {
        StringBuilder uri = new StringBuilder(base.toString()).append(call.path()).append('?');
        if (call.query() != null && !call.query().isEmpty()) {
            uri.append(call.query()).append('&');
        }
        uri.append("timeoutMs=").append(serverTimeoutMs);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString())).timeout(httpTimeout);
        call.headers().forEach(b::header);
        HttpRequest.BodyPublisher body = call.body() == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(call.body());
        if (call.contentType() != null) {
            b.header("Content-Type", call.contentType());
        }
        return b.method(call.method(), body).build();
    }

    private void failover(int failedIndex) {
        preferred.compareAndSet(failedIndex, (failedIndex + 1) % endpoints.size());
    }

    private static StrataException giveUp(Call call, StrataException last, boolean unknown) {
        if (unknown && call.write()) {
            if (last != null && last.code() == ErrorCode.TIMEOUT_UNKNOWN_OUTCOME) {
                return last;
            }
            return new StrataException(ErrorCode.TIMEOUT_UNKNOWN_OUTCOME, ErrorCode.TIMEOUT_UNKNOWN_OUTCOME.name(), 504,
                    "the deadline passed after an attempt with an unknown outcome; the write may or may not have applied"
                            + (last == null ? "" : " (last answer: " + last.getMessage() + ")"),
                    true, last == null ? Map.of() : last.details(), true, last);
        }
        if (last != null) {
            return last;
        }
        return StrataException.of(ErrorCode.UNREACHABLE, "the deadline passed before any attempt", null);
    }

    private static OptionalLong retryAfterNanos(Answer a) {
        OptionalLong seconds = a.longHeader("Retry-After");
        if (seconds.isEmpty() || seconds.getAsLong() < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(seconds.getAsLong() * 1_000_000_000L);
    }

    /** Exponential backoff with jitter (a wait between half and all of the step), never past the deadline. */
    private void backoff(int attempt, long deadlineNanos) {
        long cap = Math.min(backoffMaxNanos, backoffBaseNanos << Math.min(attempt, 20));
        long wait = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
        sleep(Math.min(wait, Math.max(0, deadlineNanos - System.nanoTime())));
    }

    private static void sleep(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StrataException.of(ErrorCode.UNREACHABLE, "interrupted while waiting to retry", e);
        }
    }
}
