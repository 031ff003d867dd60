package io.stratakv.controller.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.contract.FenceResponse;
import io.stratakv.zk.contract.NodeStatus;
import io.stratakv.zk.contract.TransferLeadershipRequest;
import io.stratakv.zk.contract.TransferLeadershipResponse;
import io.stratakv.zk.records.NodeRegistration;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link NodeClient} over the JDK's HTTP client, JSON by the shared StrataKV rules. Every call has
 * the configured timeout (connect and response); a transfer call also gets the time the request
 * gives the leader to wait for its target. Thread-safe.
 */
public final class HttpNodeClient implements NodeClient {

    private static final String JSON = "application/json";

    private final HttpClient http;
    private final ObjectMapper json = StrataJson.newMapper();
    private final Duration timeout;

    public HttpNodeClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public FenceResponse fence(NodeRegistration node, FenceRequest request) throws Exception {
        URI uri = internal(node, "/internal/v1/partitions/" + request.keyspace() + "/" + request.partitionId() + "/fence");
        return call(node, "fence", post(uri, request, timeout), FenceResponse.class);
    }

    @Override
    public NodeStatus status(NodeRegistration node) throws Exception {
        URI uri = internal(node, "/internal/v1/status");
        return call(node, "status", HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", JSON).GET().build(),
                NodeStatus.class);
    }

    @Override
    public boolean healthy(NodeRegistration node) {
        URI uri = URI.create("http://" + node.host() + ":" + node.adminPort() + "/healthcheck");
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public TransferLeadershipResponse transferLeadership(NodeRegistration leader, TransferLeadershipRequest request)
            throws Exception {
        URI uri = internal(leader, "/internal/v1/partitions/" + request.keyspace() + "/" + request.partitionId()
                + "/transfer");
        Duration callTimeout = timeout.plusMillis(request.timeoutMillis());
        return call(leader, "transfer", post(uri, request, callTimeout), TransferLeadershipResponse.class);
    }

    private static URI internal(NodeRegistration node, String path) {
        return URI.create("http://" + node.host() + ":" + node.internalPort() + path);
    }

    private HttpRequest post(URI uri, Object body, Duration callTimeout) throws IOException {
        return HttpRequest.newBuilder(uri).timeout(callTimeout).header("Content-Type", JSON).header("Accept", JSON)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))).build();
    }

    private <T> T call(NodeRegistration node, String what, HttpRequest request, Class<T> type) throws Exception {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 == 2) {
            return json.readValue(r.body(), type);
        }
        Optional<ErrorBody> body;
        try {
            body = Optional.of(json.readValue(r.body(), ErrorBody.class));
        } catch (IOException | RuntimeException e) {
            body = Optional.empty(); // not one of ours (a proxy, or a crash page)
        }
        throw new NodeCallException(node.nodeId(), what, r.statusCode(), body);
    }
}
