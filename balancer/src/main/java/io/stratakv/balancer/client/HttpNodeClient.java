package io.stratakv.balancer.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link NodeClient} over one JDK {@link HttpClient}: HTTP/1.1, keep-alive connections pooled per
 * node by the JDK (idle ones closed after {@code jdk.httpclient.keepalive.timeout}, 30 s by default)
 * and bounded per node by the caller's in-flight permits.
 */
public final class HttpNodeClient implements NodeClient {

    private final HttpClient http;

    public HttpNodeClient(Duration connectTimeout) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public NodeResponse send(NodeRequest r) throws NodeCallException, InterruptedException {
        String uri = r.baseUri() + r.rawPath() + (r.rawQuery().isEmpty() ? "" : "?" + r.rawQuery());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri))
                .timeout(r.timeout().isNegative() || r.timeout().isZero() ? Duration.ofMillis(1) : r.timeout())
                .method(r.method(), r.body().length == 0 && !r.method().equals("PUT")
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(r.body()));
        r.headers().forEach((name, values) -> values.forEach(v -> b.header(name, v)));
        try {
            HttpResponse<byte[]> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, List<String>> headers = new HashMap<>();
            resp.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
            return new NodeResponse(resp.statusCode(), headers, resp.body() == null ? new byte[0] : resp.body());
        } catch (HttpConnectTimeoutException e) {
            throw new NodeCallException("connect to " + r.baseUri() + " timed out", false, e);
        } catch (HttpTimeoutException e) {
            throw new NodeCallException("no answer from " + r.baseUri() + " within " + r.timeout().toMillis() + " ms", true, e);
        } catch (IOException e) {
            boolean refused = causedBy(e, ConnectException.class) || causedBy(e, UnresolvedAddressException.class);
            throw new NodeCallException((refused ? "cannot connect to " : "connection to ") + r.baseUri()
                    + (refused ? "" : " failed") + ": " + e, !refused, e);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        http.close();
    }
}
