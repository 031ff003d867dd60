package io.stratakv.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.stratakv.node.replica.ReplicaState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.stratakv.node.NodeCluster.JSON;
import static io.stratakv.node.NodeCluster.await;
import static io.stratakv.node.NodeCluster.errorCode;
import static io.stratakv.node.NodeCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node data API of issue 4 part 2 on three real nodes: versions and compare-and-set decided at
 * apply time, request ids that make retries apply once (also at a new leader), SESSION and
 * EVENTUAL reads, batches, scans, and the codes of bad requests.
 */
class DataApiTest {

    static final List<String> NODES = List.of("n1", "n2", "n3");

    @TempDir
    Path dir;
    NodeCluster c;

    @BeforeEach
    void startCluster() throws Exception {
        c = new NodeCluster(dir);
        for (String n : NODES) {
            c.start(n);
        }
        c.createPartition(NODES);
        c.elect("n1", NODES);
        await("n1 leads epoch 1", 10_000, () -> c.replica("n1").view().state() == ReplicaState.LEADER);
    }

    @AfterEach
    void stopCluster() throws Exception {
        c.close();
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
        return c.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> put(String node, String key, String value, String query, String requestId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(c.kv(node, key, query))
                .PUT(HttpRequest.BodyPublishers.ofString(value));
        if (requestId != null) {
            b.header("X-Request-Id", requestId);
        }
        return send(b);
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static long version(HttpResponse<byte[]> r) {
        return Long.parseLong(r.headers().firstValue("X-Strata-Version").orElseThrow());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(JsonNode n) {
        return new String(Base64.getDecoder().decode(n.asText()), StandardCharsets.UTF_8);
    }

    private HttpResponse<byte[]> post(String node, String path, String json) throws Exception {
        return c.post(c.base(node).resolve(path), json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    @Test
    void versionsAndCompareAndSet() throws Exception {
        HttpResponse<byte[]> created = put("n1", "k", "v1", "ifVersion=0", null);
        assertThat(created.statusCode()).as(text(created)).isEqualTo(200);
        long v1 = json(created).get("version").asLong();
        assertThat(v1).isEqualTo(json(created).get("offset").asLong()).isEqualTo(version(created));

        HttpResponse<byte[]> g = c.get("n1", "k", "");
        assertThat(version(g)).isEqualTo(v1);

        HttpResponse<byte[]> again = put("n1", "k", "v2", "ifVersion=0", null);
        assertThat(again.statusCode()).isEqualTo(412);
        assertThat(errorCode(again)).isEqualTo("PRECONDITION_FAILED");
        assertThat(json(again).get("details").get("currentVersion").asLong()).isEqualTo(v1);
        assertThat(text(c.get("n1", "k", ""))).isEqualTo("v1");

        HttpResponse<byte[]> cas = put("n1", "k", "v3", "ifVersion=" + v1, null);
        assertThat(cas.statusCode()).as(text(cas)).isEqualTo(200);
        long v3 = version(cas);
        assertThat(v3).isGreaterThan(v1);

        HttpResponse<byte[]> staleDelete = send(HttpRequest.newBuilder(c.kv("n1", "k", "ifVersion=" + v1)).DELETE());
        assertThat(staleDelete.statusCode()).isEqualTo(412);
        HttpResponse<byte[]> delete = send(HttpRequest.newBuilder(c.kv("n1", "k", "ifVersion=" + v3)).DELETE());
        assertThat(delete.statusCode()).as(text(delete)).isEqualTo(200);
        assertThat(json(delete).get("version").asLong()).isZero();
        assertThat(c.get("n1", "k", "").statusCode()).isEqualTo(404);

        // Bad conditions: their codes, and nothing written.
        assertThat(errorCode(put("n1", "k", "x", "ifVersion=-1", null))).isEqualTo("INVALID_ARGUMENT");
        assertThat(errorCode(put("n1", "k", "x", "ifVersion=abc", null))).isEqualTo("INVALID_ARGUMENT");
        HttpResponse<byte[]> one = put("n1", "k", "x", "ifVersion=0&consistency=ONE", null);
        assertThat(one.statusCode()).isEqualTo(400);
        assertThat(json(one).get("details").get("reason").asText()).isEqualTo("condition_needs_commit");
        assertThat(c.get("n1", "k", "").statusCode()).isEqualTo(404);
    }

    @Test
    void concurrentCompareAndSetsOnTheSameVersionOnlyOneWins() throws Exception {
        long v = version(put("n1", "ctr", "0", "", null));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<byte[]>>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String val = "w" + i;
                fs.add(pool.submit((Callable<HttpResponse<byte[]>>) () -> put("n1", "ctr", val, "ifVersion=" + v, null)));
            }
            int ok = 0;
            int failed = 0;
            for (Future<HttpResponse<byte[]>> f : fs) {
                int code = f.get().statusCode();
                ok += code == 200 ? 1 : 0;
                failed += code == 412 ? 1 : 0;
            }
            assertThat(ok).isEqualTo(1);
            assertThat(failed).isEqualTo(7);
        } finally {
            pool.shutdownNow();
        }
        // Every replica decided the same at apply time.
        String atLeader = text(c.get("n1", "ctr", ""));
        await("followers apply the winner", 10_000, () -> NODES.stream().allMatch(n -> {
            try {
                return text(c.get(n, "ctr", "consistency=EVENTUAL")).equals(atLeader);
            } catch (Exception e) {
                return false;
            }
        }));
    }

    @Test
    void aRetriedRequestIdAppliesOnceAlsoAtANewLeader() throws Exception {
        HttpResponse<byte[]> first = put("n1", "r", "once", "", "req-42");
        assertThat(first.statusCode()).as(text(first)).isEqualTo(200);
        long original = json(first).get("version").asLong();
        assertThat(json(first).get("duplicate").asBoolean()).isFalse();
        put("n1", "r", "later", "", null);

        HttpResponse<byte[]> retry = put("n1", "r", "once", "", "req-42");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(json(retry).get("duplicate").asBoolean()).isTrue();
        assertThat(json(retry).get("version").asLong()).isEqualTo(original);
        assertThat(text(c.get("n1", "r", ""))).isEqualTo("later");

        // A failed condition is remembered too: its retry answers 412 again, even after "c" appears.
        assertThat(put("n1", "c", "x", "ifVersion=5", "req-43").statusCode()).isEqualTo(412);

        // Failover: n1 stops, n2 leads epoch 2 and recognises both ids from its own replicated table.
        await("n2 has applied everything", 10_000, () -> c.replica("n2").commitEnd() >= c.replica("n1").commitEnd());
        c.stop("n1");
        c.startElection();
        c.elect("n2", List.of("n2", "n3"));
        await("n2 leads epoch 2", 10_000, () -> c.replica("n2").view().state() == ReplicaState.LEADER);
        HttpResponse<byte[]> atNewLeader = put("n2", "r", "once", "", "req-42");
        assertThat(atNewLeader.statusCode()).as(text(atNewLeader)).isEqualTo(200);
        assertThat(json(atNewLeader).get("duplicate").asBoolean()).isTrue();
        assertThat(json(atNewLeader).get("version").asLong()).isEqualTo(original);
        assertThat(text(c.get("n2", "r", ""))).isEqualTo("later");
        HttpResponse<byte[]> failedAgain = put("n2", "c", "x", "ifVersion=5", "req-43");
        assertThat(failedAgain.statusCode()).isEqualTo(412);
        assertThat(json(failedAgain).get("details").get("duplicate").asText()).isEqualTo("true");

        String tooLong = "x".repeat(129);
        assertThat(errorCode(put("n2", "r", "v", "", tooLong))).isEqualTo("INVALID_ARGUMENT");
    }

    @Test
    void sessionReadsSeeTheClientsOwnWritesOnAnyReplicaAndEventualReadsSayHowFarBehind() throws Exception {
        int redirected = 0;
        for (int i = 0; i < 20; i++) {
            HttpResponse<byte[]> w = put("n1", "s" + i, "v" + i, "", null);
            String position = w.headers().firstValue("X-Strata-Position").orElseThrow();
            assertThat(position).isEqualTo("1:" + json(w).get("offset").asLong());
            String follower = i % 2 == 0 ? "n2" : "n3";
            HttpResponse<byte[]> r = c.get(follower, "s" + i, "consistency=SESSION&position=" + position);
            if (r.statusCode() == 421) {
                // A follower still behind after its short wait sends the client to the leader.
                redirected++;
                r = c.get(json(r).get("details").get("leader").asText(), "s" + i, "consistency=SESSION&position=" + position);
            }
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
            assertThat(text(r)).isEqualTo("v" + i);
        }
        assertThat(redirected).as("followers answer most session reads themselves").isLessThan(10);
        // A position this follower has not applied: it redirects to the leader.
        HttpResponse<byte[]> ahead = c.get("n2", "s1", "consistency=SESSION&position=1:1000000");
        assertThat(ahead.statusCode()).isEqualTo(421);
        assertThat(errorCode(ahead)).isEqualTo("NOT_LEADER");
        assertThat(json(ahead).get("details").get("leader").asText()).isEqualTo("n1");
        assertThat(json(ahead).get("details").has("applied")).isTrue();
        // The header form works as well.
        HttpResponse<byte[]> viaHeader = send(HttpRequest.newBuilder(c.kv("n3", "s3", "consistency=SESSION"))
                .header("X-Strata-Position", "1:1").GET());
        assertThat(viaHeader.statusCode()).as(text(viaHeader)).isEqualTo(200);
        assertThat(errorCode(c.get("n2", "s1", "consistency=SESSION"))).isEqualTo("INVALID_ARGUMENT");
        assertThat(errorCode(c.get("n2", "s1", "consistency=SESSION&position=x:1"))).isEqualTo("INVALID_ARGUMENT");
        assertThat(errorCode(c.get("n2", "s1", "consistency=SESSION&position=17"))).isEqualTo("INVALID_ARGUMENT");

        HttpResponse<byte[]> ev = c.get("n3", "s0", "consistency=EVENTUAL");
        long applied = Long.parseLong(ev.headers().firstValue("X-Strata-Applied").orElseThrow());
        long heard = Long.parseLong(ev.headers().firstValue("X-Strata-Commit-Heard").orElseThrow());
        assertThat(heard).isGreaterThanOrEqualTo(applied);
        assertThat(applied).isPositive();
    }

    @Test
    void batchPutAndBatchGetAnswerPerKey() throws Exception {
        long v = version(put("n1", "b1", "old", "", null));
        String body = "{\"items\":[{\"key\":\"" + b64("b1") + "\",\"value\":\"" + b64("new") + "\",\"ifVersion\":" + v + "},"
                + "{\"key\":\"" + b64("b2") + "\",\"value\":\"" + b64("two") + "\",\"ifVersion\":0},"
                + "{\"key\":\"" + b64("b1") + "\",\"value\":\"" + b64("lost") + "\",\"ifVersion\":" + v + "},"
                + "{\"key\":\"" + b64("b3") + "\",\"delete\":true}]}";
        HttpResponse<byte[]> bp = post("n1", "/v1/kv/kv:batchPut", body);
        assertThat(bp.statusCode()).as(text(bp)).isEqualTo(200);
        JsonNode res = json(bp).get("results");
        assertThat(res.get(0).get("status").asText()).isEqualTo("APPLIED");
        assertThat(res.get(1).get("status").asText()).isEqualTo("APPLIED");
        assertThat(res.get(2).get("status").asText()).isEqualTo("PRECONDITION_FAILED");
        assertThat(res.get(2).get("version").asLong()).isEqualTo(res.get(0).get("version").asLong());
        assertThat(bp.headers().firstValue("X-Strata-Position")).isPresent();

        String keys = "{\"keys\":[\"" + b64("b1") + "\",\"" + b64("b2") + "\",\"" + b64("nope") + "\"]}";
        for (String q : List.of("", "?consistency=EVENTUAL")) {
            HttpResponse<byte[]> bg = post("n1", "/v1/kv/kv:batchGet" + q, keys);
            assertThat(bg.statusCode()).as(text(bg)).isEqualTo(200);
            JsonNode r = json(bg).get("results");
            assertThat(unb64(r.get(0).get("value"))).isEqualTo("new");
            assertThat(r.get(0).get("version").asLong()).isEqualTo(res.get(0).get("version").asLong());
            assertThat(unb64(r.get(1).get("value"))).isEqualTo("two");
            assertThat(r.get(2).get("found").asBoolean()).isFalse();
        }

        // Bad batches: stable codes and reasons, nothing written.
        HttpResponse<byte[]> notJson = post("n1", "/v1/kv/kv:batchPut", "{nope");
        assertThat(json(notJson).get("details").get("reason").asText()).isEqualTo("bad_json");
        HttpResponse<byte[]> noKeys = post("n1", "/v1/kv/kv:batchGet", "{\"keys\":[]}");
        assertThat(json(noKeys).get("details").get("reason").asText()).isEqualTo("empty_batch");
        StringBuilder many = new StringBuilder("{\"keys\":[");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append('"').append(b64("k" + i)).append('"');
        }
        HttpResponse<byte[]> tooMany = post("n1", "/v1/kv/kv:batchGet", many + "]}");
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(json(tooMany).get("details").get("reason").asText()).isEqualTo("too_many_keys");
        HttpResponse<byte[]> huge = post("n1", "/v1/kv/kv:batchPut", "{\"items\":[{\"key\":\"" + b64("h")
                + "\",\"value\":\"" + "A".repeat(200_000) + "\"}]}");
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(errorCode(huge)).isEqualTo("BODY_TOO_LARGE");
        HttpResponse<byte[]> bigValue = post("n1", "/v1/kv/kv:batchPut", "{\"items\":[{\"key\":\"" + b64("h")
                + "\",\"value\":\"" + Base64.getEncoder().encodeToString(new byte[70_000]) + "\"}]}");
        assertThat(errorCode(bigValue)).isEqualTo("VALUE_TOO_LARGE");
        HttpResponse<byte[]> badOp = post("n1", "/v1/kv/kv:batchDelete", "{}");
        assertThat(errorCode(badOp)).isEqualTo("NOT_FOUND");
        assertThat(errorCode(post("n1", "/v1/kv/Bad!:batchGet", keys))).isEqualTo("INVALID_KEYSPACE_NAME");
        assertThat(errorCode(post("n1", "/v1/kv/kv:batchPut?consistency=ONE", "{\"items\":[{\"key\":\""
                + b64("h") + "\",\"value\":\"\",\"ifVersion\":0}]}"))).isEqualTo("INVALID_ARGUMENT");
        assertThat(c.get("n1", "h", "").statusCode()).isEqualTo(404);
    }

    @Test
    void scanPagesThroughOnePartitionWithACursor() throws Exception {
        for (int i = 0; i < 25; i++) {
            assertThat(put("n1", String.format("p%02d", i), "v" + i, "", null).statusCode()).isEqualTo(200);
        }
        put("n1", "q", "other", "", null);
        put("n1", "a", "other", "", "with-id"); // its request-id entry must not show in scans
        List<String> got = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(c.base("n1") + "/v1/scan/kv?partition=0&prefix=p&limit=10"
                    + (cursor == null ? "" : "&cursor=" + cursor))).GET());
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
            JsonNode page = json(r);
            page.get("entries").forEach(e -> got.add(unb64(e.get("key")) + "=" + unb64(e.get("value"))));
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(got).hasSize(25).startsWith("p00=v0").endsWith("p24=v24");

        // EVENTUAL on a follower: it applies an entry once it hears the commit in its next fetch, so
        // it may lag the acknowledged writes for a moment; it must get there (bounded wait).
        URI eventual = URI.create(c.base("n2") + "/v1/scan/kv?partition=0&consistency=EVENTUAL&limit=1000");
        await("follower n2 has applied every write", 10_000, () -> {
            try {
                return json(send(HttpRequest.newBuilder(eventual).GET())).get("entries").size() == 27;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(json(send(HttpRequest.newBuilder(eventual).GET())).get("entries")).hasSize(27);
        HttpResponse<byte[]> range = send(HttpRequest.newBuilder(URI.create(c.base("n1")
                + "/v1/scan/kv?partition=0&start=p05&end=p08")).GET());
        assertThat(json(range).get("entries")).hasSize(3);
        assertThat(json(range).get("entries").get(0).get("version").asLong()).isPositive();

        for (String bad : List.of("?partition=0&limit=0", "?partition=0&limit=5000", "?prefix=p",
                "?partition=0&prefix=p&start=a", "?partition=0&start=z&end=a", "?partition=x",
                "?partition=0&cursor=***")) {
            HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(c.base("n1") + "/v1/scan/kv" + bad)).GET());
            assertThat(r.statusCode()).as(bad + " " + text(r)).isEqualTo(400);
        }
        HttpResponse<byte[]> noPartition = send(HttpRequest.newBuilder(URI.create(c.base("n1") + "/v1/scan/kv?partition=7")).GET());
        assertThat(errorCode(noPartition)).isEqualTo("PARTITION_NOT_FOUND");
        HttpResponse<byte[]> strongAtFollower = send(HttpRequest.newBuilder(URI.create(c.base("n2") + "/v1/scan/kv?partition=0")).GET());
        assertThat(errorCode(strongAtFollower)).isEqualTo("NOT_LEADER");
    }
}
