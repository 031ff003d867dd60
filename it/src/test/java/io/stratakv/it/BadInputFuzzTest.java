package io.stratakv.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.balancer.BalancerApplication;
import io.stratakv.balancer.BalancerConfiguration;
import io.stratakv.controller.ControllerApplication;
import io.stratakv.controller.ControllerConfiguration;
import io.stratakv.node.NodeApplication;
import io.stratakv.node.NodeConfiguration;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import io.stratakv.zk.records.ZkCodec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input (issue 6, item 5) against real services started in this JVM: ZooKeeper, a controller,
 * three nodes and a balancer. Malformed requests (bad JSON, huge bodies, invalid keys and
 * percent-encodings, unknown consistency names, bad ifVersion, junk positions and session tokens,
 * unknown paths and methods, and over a raw socket conflicting Content-Length / Transfer-Encoding)
 * go to the balancer's public API and to a node's data and internal APIs. Every answer must be a
 * 4xx (or a 2xx for a request that happens to be valid) with the one JSON error shape and a code
 * of {@link ErrorCode}; never a 5xx, never a dropped connection; and after each property the data
 * stored before it is unchanged (same values and versions).
 */
class BadInputFuzzTest {

    private static final String CLUSTER = "fuzz";
    private static final String KS = "default";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CODES = EnumSet.allOf(ErrorCode.class).stream()
            .filter(c -> c != ErrorCode.UNKNOWN).map(Enum::name).collect(Collectors.toSet());
    /** Keys stored before the fuzzing; generated keys never start with this. */
    private static final String BASE = "fz-base-";

    private static TestingServer zkServer;
    private static CuratorFramework zk;
    private static Path data;
    private static final Map<String, DropwizardTestSupport<NodeConfiguration>> NODES = new LinkedHashMap<>();
    private static DropwizardTestSupport<ControllerConfiguration> controller;
    private static DropwizardTestSupport<BalancerConfiguration> balancer;
    /** key -> "version:value" as read before fuzzing. */
    private static final Map<String, String> STORED = new LinkedHashMap<>();

    @BeforeContainer
    static void start() throws Exception {
        data = Files.createTempDirectory("strata-fuzz");
        zkServer = new TestingServer(true);
        zk = CuratorFrameworkFactory.newClient(zkServer.getConnectString(), new RetryOneTime(100));
        zk.start();
        zk.blockUntilConnected();
        for (String id : List.of("n1", "n2", "n3")) {
            String p = "fz-node-" + id;
            DropwizardTestSupport<NodeConfiguration> n = new DropwizardTestSupport<>(NodeApplication.class, (String) null, p,
                    ConfigOverride.config(p, "nodeId", id),
                    ConfigOverride.config(p, "dataDir", data.resolve(id).toString()),
                    ConfigOverride.config(p, "zookeeper.connect", zkServer.getConnectString()),
                    ConfigOverride.config(p, "zookeeper.cluster", CLUSTER),
                    ConfigOverride.config(p, "storage.memtableSize", "4MiB"),
                    ConfigOverride.config(p, "storage.blockCacheSize", "8MiB"),
                    ConfigOverride.config(p, "storage.minFreeSpace", "1MiB"),
                    ConfigOverride.config(p, "replication.reconcileInterval", "300ms"),
                    ConfigOverride.config(p, "server.applicationConnectors[0].port", "0"),
                    ConfigOverride.config(p, "server.adminConnectors[0].port", "0"),
                    ConfigOverride.config(p, "logging.level", "OFF"));
            n.before();
            NODES.put(id, n);
        }
        controller = new DropwizardTestSupport<>(ControllerApplication.class, (String) null, "fz-ctl",
                ConfigOverride.config("fz-ctl", "controllerId", "controller-1"),
                ConfigOverride.config("fz-ctl", "zookeeper.connect", zkServer.getConnectString()),
                ConfigOverride.config("fz-ctl", "zookeeper.cluster", CLUSTER),
                ConfigOverride.config("fz-ctl", "reconcileInterval", "300ms"),
                ConfigOverride.config("fz-ctl", "healthPollInterval", "300ms"),
                ConfigOverride.config("fz-ctl", "defaultKeyspace.partitions", "4"),
                ConfigOverride.config("fz-ctl", "defaultKeyspace.replicationFactor", "3"),
                ConfigOverride.config("fz-ctl", "server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("fz-ctl", "server.adminConnectors[0].port", "0"),
                ConfigOverride.config("fz-ctl", "logging.level", "OFF"));
        controller.before();
        balancer = new DropwizardTestSupport<>(BalancerApplication.class, (String) null, "fz-bal",
                ConfigOverride.config("fz-bal", "zookeeper.connect", zkServer.getConnectString()),
                ConfigOverride.config("fz-bal", "zookeeper.cluster", CLUSTER),
                ConfigOverride.config("fz-bal", "reconcileInterval", "300ms"),
                ConfigOverride.config("fz-bal", "server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("fz-bal", "server.adminConnectors[0].port", "0"),
                ConfigOverride.config("fz-bal", "logging.level", "OFF"));
        balancer.before();
        await("every partition has a leader", 30_000, BadInputFuzzTest::allOnline);
        for (int i = 0; i < 12; i++) {
            String key = BASE + i;
            await("stored " + key, 15_000, () -> {
                Resp r = send(balancerPort(), request("PUT", "/v1/kv/" + key + "?consistency=QUORUM",
                        Map.of(), ("value-" + key).getBytes(StandardCharsets.UTF_8)));
                return r.status == 200;
            });
        }
        STORED.putAll(readStored());
        assertThat(STORED).hasSize(12);
    }

    @AfterContainer
    static void stop() throws Exception {
        if (balancer != null) {
            balancer.after();
        }
        if (controller != null) {
            controller.after();
        }
        for (DropwizardTestSupport<NodeConfiguration> n : NODES.values()) {
            n.after();
        }
        if (zk != null) {
            zk.close();
        }
        if (zkServer != null) {
            zkServer.close();
        }
    }

    @AfterProperty
    void storedDataIsUnchanged() throws Exception {
        assertThat(readStored()).isEqualTo(STORED);
    }

    private static boolean allOnline() {
        try {
            ZkLayout layout = ZkLayout.forCluster(CLUSTER);
            if (zk.checkExists().forPath(layout.partitions(KS)) == null) {
                return false;
            }
            List<String> pids = zk.getChildren().forPath(layout.partitions(KS));
            if (pids.size() != 4) {
                return false;
            }
            for (String pid : pids) {
                PartitionRecord p = ZkCodec.read(zk, layout.partition(KS, Integer.parseInt(pid)), PartitionRecord.class)
                        .orElseThrow().value();
                if (p.state() != PartitionState.ONLINE || p.leader().isEmpty()) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Every stored key's version and value, read STRONG through the balancer. */
    private static Map<String, String> readStored() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            String key = BASE + i;
            Resp r = send(balancerPort(), request("GET", "/v1/kv/" + key + "?consistency=STRONG", Map.of(), new byte[0]));
            out.put(key, r.status + ":" + r.headers.get("x-strata-version") + ":" + new String(r.body, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static int balancerPort() {
        return balancer.getLocalPort();
    }

    private static int nodePort() {
        return NODES.get("n1").getLocalPort();
    }

    // ------------------------------------------------------------------------------ raw HTTP

    record Resp(int status, Map<String, String> headers, byte[] body) {
        @Override
        public String toString() {
            return status + " " + headers + " " + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        }
    }

    record Req(String method, String target, Map<String, String> headers, byte[] body) {
        @Override
        public String toString() {
            return method + " " + (target.length() > 200 ? target.substring(0, 200) + "…(" + target.length() + ")" : target)
                    + " " + headers.keySet() + " body " + body.length + "B"
                    + (body.length < 120 ? " " + new String(body, StandardCharsets.UTF_8) : "");
        }
    }

    static byte[] request(String method, String target, Map<String, String> headers, byte[] body) {
        StringBuilder b = new StringBuilder();
        b.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        b.append("Host: 127.0.0.1\r\nConnection: close\r\n");
        headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        b.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(b.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Writes the bytes, reads the answer until the server closes (every request says Connection: close). */
    static Resp send(int port, byte[] raw) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(raw);
                out.flush();
            } catch (SocketException e) {
                // the server may answer and close before taking a whole oversized body: read its answer
            }
            byte[] all = readAll(s.getInputStream());
            return parse(all);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketException e) {
            // reset after the answer was sent (the server closed with unread request bytes)
        }
        return out.toByteArray();
    }

    private static Resp parse(byte[] all) {
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new AssertionError("no HTTP answer, got " + all.length + " bytes: "
                    + text.substring(0, Math.min(200, text.length())));
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
        }
        byte[] body = Arrays.copyOfRange(all, end + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Resp(status, headers, body);
    }

    private static byte[] dechunk(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < b.length) {
            int lineEnd = indexOf(b, i);
            int size = Integer.parseInt(new String(b, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(b, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return b.length;
    }

    /** The contract for any answer to bad input: no 5xx; an error is the one JSON shape with a known code. */
    private static void checkAnswer(Object what, Resp r) throws IOException {
        assertThat(r.status).as("%s -> %s", what, r).isLessThan(500);
        if (r.status >= 400 && r.body.length > 0) {
            JsonNode body;
            try {
                body = JSON.readTree(r.body);
            } catch (IOException e) {
                throw new AssertionError(what + " -> error answer is not JSON: " + r, e);
            }
            assertThat(body.path("code").asText()).as("%s -> %s", what, r).isIn(CODES);
            assertThat(body.has("message") && body.get("retryable").isBoolean() && body.get("details").isObject())
                    .as("%s -> ErrorBody shape: %s", what, r).isTrue();
        } else if (r.status >= 400) {
            assertThat(r.status).as("%s -> an empty error answer is only for HEAD: %s", what, r).isIn(405, 400, 404);
        }
    }

    // ------------------------------------------------------------------------------ generators

    private static final List<String> BAD_KEYS = List.of("%", "%z", "%zz", "%2", "%%", "%2F", "a%2Fb", "%00", "%FF%FE",
            "..", "%2e%2e", "a;b", "a%3Bb", "%C0%AF", "%E2%82", "k%20", "x".repeat(5000), "%41".repeat(2000), "\u00e9",
            "fuzz-key", "~", "*", "%0D%0A", "%u0041");
    private static final List<String> PARAM_NAMES = List.of("consistency", "ifVersion", "timeoutMs", "limit", "prefix",
            "start", "end", "continuation", "cursor", "partition", "epoch", "position");
    private static final List<String> BAD_VALUES = List.of("", "x", "-1", "0", "99999999999999999999", "%zz", "%",
            "bogus", "strong%00", "1.5", "%FF", "+", "QUORUM", "SESSION", "eventual", "ONE", "ALL", "1e3", "0x10",
            "-9223372036854775808", "AAAA", "AQ", "%2525", "5:5", "a:b", ":", "9223372036854775807");
    private static final List<String> BODIES = List.of("", "{", "}", "{}", "[]", "null", "42", "\"s\"", "{\"keys\":null}",
            "{\"keys\":[1,2]}", "{\"keys\":[\"!!\"]}", "{\"keys\":[\"\"]}", "{\"keys\":[null]}", "{\"items\":[{}]}",
            "{\"items\":[{\"key\":\"!!\"}]}", "{\"items\":[{\"key\":\"Zm9v\",\"value\":7}]}",
            "{\"items\":[{\"key\":\"Zm9v\",\"delete\":\"yes\"}]}", "{\"items\":[{\"key\":\"Zm9v\",\"value\":\"YmFy\",\"ifVersion\":\"x\"}]}",
            "{\"items\":[{\"key\":\"Zm9v\",\"value\":\"YmFy\",\"ifVersion\":-5}]}",
            "{\"items\":[{\"key\":\"Zm9v\",\"value\":\"YmFy\",\"ifVersion\":1.5}]}",
            "{\"items\":[{\"key\":\"Zm9v\",\"value\":\"YmFy\",\"ifVersion\":99999999999999999999999}]}",
            "{\"keys\":[\"" + "QUFB".repeat(5000) + "\"]}", "{\"keyspace\":\"default\",\"partitionId\":0}",
            "[".repeat(5000), "{\"a\":" .repeat(3000), "\u0000\u0001\u0002", "{\"keys\":[\"Zm9v\"],\"keys\":7}");

    @Provide
    Arbitrary<Req> publicRequests() {
        Arbitrary<String> key = Arbitraries.oneOf(Arbitraries.of(BAD_KEYS),
                Arbitraries.strings().withChars("abcXYZ019%-._~:@!$&'()*+,;=").ofMinLength(0).ofMaxLength(20)
                        .filter(k -> !k.startsWith(BASE)));
        Arbitrary<String> ks = Arbitraries.of("default", "nosuch", "Bad.Name", "", "-x", "a".repeat(70), "%64efault");
        Arbitrary<String> path = Arbitraries.oneOf(
                key.map(k -> "/v1/kv/" + k),
                Combinators.combine(ks, key).as((s, k) -> "/v1/kv/" + s + "/" + k),
                ks.map(s -> "/v1/kv/" + s + ":batchGet"),
                ks.map(s -> "/v1/kv/" + s + ":batchPut"),
                Arbitraries.of("/v1/kv:batchGet", "/v1/kv:batchPut", "/v1/kv:batchNope", "/v1/kv", "/v1/kv/",
                        "/v1/scan", "/v1/scan/", "/v1/cluster", "/v1/cluster/x", "/", "/v2/kv/a", "/v1/kv/a/b/c",
                        "/v1/scan/default/x", "/internal/v1/status", "/%", "/v1/kv/%2e%2e/%2e%2e/admin"),
                ks.map(s -> "/v1/scan/" + s));
        return request(path, Arbitraries.of("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"));
    }

    @Provide
    Arbitrary<Req> nodeRequests() {
        Arbitrary<String> key = Arbitraries.oneOf(Arbitraries.of(BAD_KEYS),
                Arbitraries.strings().withChars("abcXYZ019%-._~").ofMinLength(0).ofMaxLength(20)
                        .filter(k -> !k.startsWith(BASE)));
        Arbitrary<String> ks = Arbitraries.of("default", "nosuch", "Bad.Name", "", "a".repeat(70));
        Arbitrary<String> pid = Arbitraries.of("0", "3", "-1", "x", "99999999999", "", "%30", "2147483648");
        Arbitrary<String> path = Arbitraries.oneOf(
                Combinators.combine(ks, key).as((s, k) -> "/v1/kv/" + s + "/" + k),
                ks.map(s -> "/v1/kv/" + s + ":batchGet"),
                ks.map(s -> "/v1/kv/" + s + ":batchPut"),
                ks.map(s -> "/v1/scan/" + s),
                Combinators.combine(ks, pid, Arbitraries.of("fetch", "epoch-end", "fence", "nope", ""))
                        .as((s, p, op) -> "/internal/v1/partitions/" + s + "/" + p + "/" + op),
                Arbitraries.of("/internal/v1/status", "/internal/v1/", "/internal/v1/partitions", "/internal",
                        "/v1/kv", "/v1/kv/default", "/v1/scan", "/nope", "/v1/kv/default:batchGet/x"));
        return request(path, Arbitraries.of("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "FOO"));
    }

    private static Arbitrary<Req> request(Arbitrary<String> path, Arbitrary<String> method) {
        Arbitrary<String> param = Combinators.combine(Arbitraries.of(PARAM_NAMES), Arbitraries.of(BAD_VALUES))
                .as((n, v) -> n + "=" + v);
        Arbitrary<String> query = param.list().ofMaxSize(4).map(l -> l.isEmpty() ? "" : "?" + String.join("&", l));
        Arbitrary<Map<String, String>> headers = Arbitraries.oneOf(
                Arbitraries.just(Map.of()),
                Arbitraries.of(BAD_VALUES).map(v -> Map.of("X-Strata-Session", v.isEmpty() ? "0=" : v)),
                Arbitraries.of(BAD_VALUES).map(v -> Map.of("X-Strata-Position", v.isEmpty() ? "x" : v)),
                Arbitraries.just(Map.of("X-Request-Id", "r".repeat(300))),
                Arbitraries.just(Map.of("Content-Type", "application/x-nonsense")),
                Arbitraries.just(Map.of("X-Strata-Session", "0=1:2,".repeat(5000))));
        Arbitrary<byte[]> body = Arbitraries.oneOf(
                Arbitraries.of(BODIES).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Arbitraries.integers().between(0, 2).map(i -> i == 0 ? new byte[0] : new byte[3 << 20]));
        return Combinators.combine(method, path, query, headers, body)
                .as((m, p, q, h, b) -> new Req(m, p + q, h, m.equals("GET") && b.length > 1000 ? new byte[0] : b));
    }

    // ------------------------------------------------------------------------------ properties

    @Property(tries = 250)
    void theBalancerAnswersBadRequestsWith4xxAndAStableCode(@ForAll("publicRequests") Req r) throws IOException {
        checkAnswer(r, send(balancerPort(), request(r.method(), r.target(), r.headers(), r.body())));
    }

    @Property(tries = 250)
    void aNodeAnswersBadRequestsToItsDataAndInternalApisWith4xxAndAStableCode(@ForAll("nodeRequests") Req r)
            throws IOException {
        checkAnswer(r, send(nodePort(), request(r.method(), r.target(), r.headers(), r.body())));
    }

    /** Protocol-level abuse that no HTTP client library will send: written byte by byte. */
    @Example
    void malformedHttpIsRefusedNotRepaired() throws IOException {
        List<String> raws = List.of(
                // request smuggling: both framings (Netty CVE-2019-16869)
                "POST /v1/kv/default:batchPut HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "PUT /v1/kv/smuggle HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
                        + "Content-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                "PUT /v1/kv/smuggle HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                "PUT /v1/kv/smuggle HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                "PUT /v1/kv/smuggle HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
                "PUT /v1/kv/smuggle HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: -1\r\n\r\n",
                "PUT /v1/kv/smuggle HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 99999999999999999999\r\n\r\n",
                "GET /v1/kv/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/kv/a%2Fb HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/scan?start=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/kv/default/k?ifVersion=%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "PATCH /v1/kv/default/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                "TRACE /v1/kv/default/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/kv/default/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/scan/default?partition=0&prefix=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/kv/a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/kv/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nBad Header Line\r\n\r\n",
                "GET /v1/kv/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + "b".repeat(70_000) + "\r\n\r\n",
                "GET " + "/v1/kv/" + "k".repeat(70_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/kv/a HTTP/1.1\r\nConnection: close\r\n\r\n",
                "GET /v1/kv/a HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n\r\n",
                "\r\n\r\nGARBAGE\r\n\r\n");
        List<String> nodeOnly = List.of( // the balancer takes any bytes as bounds; the node's query must be UTF-8
                "GET /v1/scan/default?partition=0&prefix=%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        for (int port : List.of(balancerPort(), nodePort())) {
            List<String> all = new ArrayList<>(raws);
            if (port == nodePort()) {
                all.addAll(nodeOnly);
            }
            for (String raw : all) {
                Resp r = send(port, raw.getBytes(StandardCharsets.ISO_8859_1));
                String what = (port == balancerPort() ? "balancer: " : "node: ") + raw.substring(0, Math.min(raw.length(), 120));
                checkAnswer(what, r);
                assertThat(r.status).as("%s -> %s", what, r).isGreaterThanOrEqualTo(400);
            }
        }
    }

    private static void await(String what, long timeoutMillis, BooleanSupplierWithException condition) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }

    @FunctionalInterface
    interface BooleanSupplierWithException {
        boolean get() throws Exception;
    }

}
