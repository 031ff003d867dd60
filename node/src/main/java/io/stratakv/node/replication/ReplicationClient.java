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
import java.io.InputStream;
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
    /** A snapshot answer starts after the leader's checkpoint (a memtable flush): more time than a fetch. */
    private static final int SNAPSHOT_START_TIMEOUT_FACTOR = 10;

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

    /**
     * Opens the leader's snapshot stream (SNAPSHOT_FORMAT.md); the caller reads and closes it. The
     * timeout bounds the wait for the answer to start (the leader checkpoints first), not the transfer.
     */
    public InputStream snapshot(URI leader, String keyspace, int partitionId, long epoch, String replicaId) {
        URI uri = leader.resolve(partitionPath(keyspace, partitionId, "snapshot") + "?epoch=" + epoch + "&replica="
                + java.net.URLEncoder.encode(replicaId, java.nio.charset.StandardCharsets.UTF_8));
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout.multipliedBy(SNAPSHOT_START_TIMEOUT_FACTOR))
                .header("Accept", SnapshotStream.CONTENT_TYPE).GET().build();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "cannot reach " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicaException(ErrorCode.PARTITION_UNAVAILABLE, "interrupted calling " + uri);
        }
        if (resp.statusCode() == 200) {
            return resp.body();
        }
        byte[] body;
        try (InputStream in = resp.body()) {
            body = in.readNBytes(64 << 10);
        } catch (IOException e) {
            body = new byte[0];
        }
        throw errorOf(uri, resp.statusCode(), body);
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
        throw errorOf(uri, resp.statusCode(), resp.body());
    }

    private static ReplicaException errorOf(URI uri, int status, byte[] body) {
        ErrorBody err;
        try {
            err = JSON.readValue(body, ErrorBody.class);
        } catch (IOException e) {
            return new ReplicaException(ErrorCode.INTERNAL, uri + " answered " + status + " without an error body");
        }
        return new ReplicaException(err.code(), err.message(), err.details());
    }
}
