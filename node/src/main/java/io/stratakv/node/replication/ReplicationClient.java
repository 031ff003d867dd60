package io.stratakv.node.replication;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratakv.node.replica.ReplicaException;
import io.stratakv.node.replication.ReplicationCodec.EpochEndRequest;
import io.stratakv.node.replication.ReplicationCodec.EpochEndResponse;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Follower side of replication over HTTP (JDK HttpClient, HTTP/1.1, binary bodies). A non-200
 * answer carries an {@link ErrorBody}, thrown as a {@link ReplicaException} with its code; a
 * transport failure is PARTITION_UNAVAILABLE.
 */
public final class ReplicationClient {

    public static final String CONTENT_TYPE = "application/x-strata-replication";

    private static final ObjectMapper JSON = StrataJson.newMapper();

    private final HttpClient http;
    private final Duration timeout;
    private final int maxPayloadBytes;

    /** @param timeout added to the long-poll wait of each fetch */
    public ReplicationClient(Duration timeout, int maxPayloadBytes) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        this.timeout = timeout;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public static String partitionPath(String keyspace, int partitionId, String op) {
        return "/internal/v1/partitions/" + keyspace + "/" + partitionId + "/" + op;
    }

    public FetchResponse fetch(URI leader, String keyspace, int partitionId, FetchRequest request) {
        byte[] body = post(leader.resolve(partitionPath(keyspace, partitionId, "fetch")), ReplicationCodec.encode(request),
                timeout.plusMillis(request.maxWaitMs()));
        return ReplicationCodec.decodeFetchResponse(new ByteArrayInputStream(body), maxPayloadBytes);
    }

    public EpochEndResponse epochEnd(URI leader, String keyspace, int partitionId, EpochEndRequest request) {
        byte[] body = post(leader.resolve(partitionPath(keyspace, partitionId, "epoch-end")),
                ReplicationCodec.encode(request), timeout);
        return ReplicationCodec.decodeEpochEndResponse(new ByteArrayInputStream(body));
    }

    private byte[] post(URI uri, byte[] body, Duration requestTimeout) {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "cannot reach " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "interrupted calling " + uri);
        }
        if (resp.statusCode() == 200) {
            return resp.body();
        }
        ErrorBody err;
        try {
            err = JSON.readValue(resp.body(), ErrorBody.class);
        } catch (IOException e) {
            throw new ReplicaException(ErrorCode.INTERNAL, uri + " answered " + resp.statusCode() + " without an error body");
        }
        throw new ReplicaException(err.code(), err.message(), err.details());
    }
}
