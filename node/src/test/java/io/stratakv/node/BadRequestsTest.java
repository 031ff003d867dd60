package io.stratakv.node;

import io.stratakv.node.replica.ReplicaState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.errorCode;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Bad requests get their stable codes and change nothing (a single-replica partition is enough). */
class BadRequestsTest {

    @TempDir
    Path dir;
    NodeCluster c;

    @BeforeEach
    void start() throws Exception {
        c = new NodeCluster(dir);
        c.start("n1");
        c.createPartition(List.of("n1"));
        c.elect("n1", List.of("n1"));
        await("n1 leads", 10_000, () -> c.replica("n1").view().state() == ReplicaState.LEADER);
        assertThat(c.put("n1", "k", "good", "").statusCode()).isEqualTo(200);
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
    }

    @Test
    void eachBadRequestAnswersItsCodeAndLeavesDataIntact() throws Exception {
        long end = c.replica("n1").logEnd();
        expect(c.put("n1", "k".repeat(1025), "v", ""), 400, "KEY_TOO_LARGE");
        expect(c.put("n1", "k", "v".repeat(64 * 1024 + 1), ""), 413, "VALUE_TOO_LARGE");
        expect(c.put("n1", "k", "v".repeat(128 * 1024 + 1), ""), 413, "BODY_TOO_LARGE");
        expect(c.put("n1", "k", "v", "consistency=MOST"), 400, "INVALID_ARGUMENT");
        expect(c.put("n1", "k", "v", "timeoutMs=abc"), 400, "INVALID_ARGUMENT");
        expect(c.put("n1", "k", "v", "epoch=-3"), 400, "INVALID_ARGUMENT");
        expect(c.get("n1", "k", "consistency=SOMETIMES"), 400, "INVALID_ARGUMENT");
        expect(c.get("n1", "nothing-here", ""), 404, "KEY_NOT_FOUND");
        expect(send("PUT", c.base("n1").resolve("/v1/kv/NoSuch!/k")), 400, "INVALID_KEYSPACE_NAME");
        expect(send("PUT", c.base("n1").resolve("/v1/kv/other/k")), 404, "KEYSPACE_NOT_FOUND");
        expect(send("PUT", c.base("n1").resolve("/v1/kv/kv/")), 400, "INVALID_ARGUMENT");
        expect(c.post(c.base("n1").resolve("/internal/v1/partitions/kv/0/fetch"), new byte[]{1, 0}, "x"), 400,
                "INVALID_ARGUMENT");
        expect(c.post(c.base("n1").resolve("/internal/v1/partitions/kv/0/fence"), "{".getBytes(), "application/json"),
                400, "INVALID_ARGUMENT");
        expect(c.post(c.base("n1").resolve("/internal/v1/partitions/kv/9/fetch"), new byte[]{1}, "x"), 404,
                "PARTITION_NOT_FOUND");

        assertThat(c.replica("n1").logEnd()).isEqualTo(end);
        assertThat(text(c.get("n1", "k", ""))).isEqualTo("good");
    }

    private HttpResponse<byte[]> send(String method, URI u) throws Exception {
        return c.http.send(HttpRequest.newBuilder(u).method(method, HttpRequest.BodyPublishers.ofString("v")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void expect(HttpResponse<byte[]> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(text(r)).isEqualTo(status);
        assertThat(errorCode(r)).isEqualTo(code);
    }
}
