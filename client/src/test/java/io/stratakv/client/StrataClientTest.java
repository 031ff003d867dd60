package io.stratakv.client;

import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.records.ReadConsistency;
import io.stratakv.zk.records.WriteConsistency;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The client against a real HTTP server that follows the balancer's contract (FakeBalancer). */
class StrataClientTest {

    private FakeBalancer fake;
    private StrataClient client;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeBalancer();
        client = StrataClient.builder().balancer(fake.url()).timeout(Duration.ofSeconds(3))
                .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        fake.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putGetDeleteRoundTripBinaryKeysAndReportVersionPartitionPosition() {
        byte[] key = {'a', ' ', '%', (byte) 0xff, 0x01, '/', 'z'};
        WriteResult w = client.put(key, b("v1"));
        assertThat(w.version()).isPresent();
        assertThat(w.partition()).isEqualTo(FakeBalancer.partitionOf(key));
        assertThat(w.position()).contains(new Position(FakeBalancer.EPOCH, w.version().getAsLong()));
        assertThat(w.duplicate()).isFalse();
        assertThat(fake.seen("PUT").get(0).path()).isEqualTo("/v1/kv/default/a%20%25%FF%01%2Fz");

        Optional<Versioned> v = client.get(key);
        assertThat(v).isPresent();
        assertThat(v.get().valueAsString()).isEqualTo("v1");
        assertThat(v.get().version()).isEqualTo(w.version().getAsLong());

        WriteResult d = client.delete(key);
        assertThat(d.version()).hasValue(0);
        assertThat(client.get(key)).isEmpty();
    }

    @Test
    void compareAndSetCreatesOnlyOnceAndReportsTheCurrentVersion() {
        WriteResult created = client.compareAndSet("k", "one", 0);
        long v1 = created.version().getAsLong();
        StrataException again = catchThrowableOfType(StrataException.class, () -> client.compareAndSet("k", "two", 0));
        assertThat(again.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
        assertThat(again.httpStatus()).isEqualTo(412);
        assertThat(again.retryable()).isFalse();
        assertThat(again.currentVersion()).hasValue(v1);

        WriteResult swapped = client.compareAndSet("k", "three", v1);
        assertThat(swapped.version().getAsLong()).isGreaterThan(v1);
        assertThatThrownBy(() -> client.compareAndSet("k", "four", v1))
                .isInstanceOfSatisfying(StrataException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED));
        assertThat(client.get("k").orElseThrow().valueAsString()).isEqualTo("three");
        // a failed condition is not retried: one request per call
        assertThat(fake.seen("PUT")).hasSize(4);
        assertThat(fake.seen("PUT").stream().map(s -> s.query().get("ifVersion")).toList())
                .containsExactly("0", "0", Long.toString(v1), Long.toString(v1));

        assertThatThrownBy(() -> client.compareAndDelete(b("k"), v1, CallOptions.defaults()))
                .isInstanceOfSatisfying(StrataException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED));
        client.compareAndDelete(b("k"), swapped.version().getAsLong(), CallOptions.defaults());
        assertThat(client.get("k")).isEmpty();
    }

    @Test
    void consistencyTimeoutAndKeyspaceGoOnTheWire() {
        try (StrataClient c = StrataClient.builder().balancer(fake.url()).keyspace("users")
                .writeConsistency(WriteConsistency.ALL).readConsistency(ReadConsistency.EVENTUAL)
                .timeout(Duration.ofSeconds(2)).build()) {
            c.put("k", "v");
            c.get("k");
            c.put(b("k"), b("v"), CallOptions.defaults().withWrite(WriteConsistency.ONE).withTimeout(Duration.ofMillis(700)));
            c.get(b("k"), CallOptions.defaults().withRead(ReadConsistency.STRONG).withKeyspace("other"));
        }
        List<FakeBalancer.Seen> s = fake.seen;
        assertThat(s.get(0).path()).isEqualTo("/v1/kv/users/k");
        assertThat(s.get(0).query().get("consistency")).isEqualTo("ALL");
        assertThat(Long.parseLong(s.get(0).query().get("timeoutMs"))).isBetween(1000L, 2000L);
        assertThat(s.get(0).header("X-Request-Id")).isNotBlank();
        assertThat(s.get(1).query().get("consistency")).isEqualTo("EVENTUAL");
        assertThat(s.get(1).header("X-Request-Id")).isNull();
        assertThat(s.get(2).query().get("consistency")).isEqualTo("ONE");
        assertThat(Long.parseLong(s.get(2).query().get("timeoutMs"))).isBetween(300L, 700L);
        assertThat(s.get(3).path()).isEqualTo("/v1/kv/other/k");
        assertThat(s.get(3).query().get("consistency")).isEqualTo("STRONG");
        // no client default: the balancer applies the keyspace's
        client.put("x", "y");
        assertThat(fake.seen.get(4).query()).doesNotContainKey("consistency");
    }

    @Test
    void retryableErrorsAreRetriedWithTheSameRequestIdAndApplyOnce() {
        fake.failNext(FakeBalancer.Fault.unavailable("0"));
        fake.failNext(FakeBalancer.Fault.unavailable("0"));
        fake.failNext(FakeBalancer.Fault.applyThen504());
        WriteResult w = client.put("r", "v");
        assertThat(w.duplicate()).isTrue(); // the 504's write had applied; the retry was recognised
        List<FakeBalancer.Seen> puts = fake.seen("PUT");
        assertThat(puts).hasSize(4);
        assertThat(puts.stream().map(p -> p.header("X-Request-Id")).distinct()).hasSize(1);
        assertThat(fake.applications.get(puts.get(0).header("X-Request-Id"))).isEqualTo(1);
        // the next call has its own id
        client.put("r", "w");
        assertThat(fake.seen("PUT").get(4).header("X-Request-Id")).isNotEqualTo(puts.get(0).header("X-Request-Id"));
    }

    @Test
    void nonRetryableErrorsAreThrownAtOnceWithTheirCode() {
        fake.failNext(FakeBalancer.Fault.error(400, "INVALID_ARGUMENT", false));
        StrataException e = catchThrowableOfType(StrataException.class, () -> client.get("k"));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e.outcomeUnknown()).isFalse();
        assertThat(fake.seen).hasSize(1);
        // a code this client does not know keeps its name and the body's retryable flag
        fake.failNext(FakeBalancer.Fault.error(418, "SOMETHING_NEW", false));
        StrataException unknown = catchThrowableOfType(StrataException.class, () -> client.get("k"));
        assertThat(unknown.code()).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(unknown.codeName()).isEqualTo("SOMETHING_NEW");
        assertThat(unknown.httpStatus()).isEqualTo(418);
    }

    @Test
    void aRetryAfterBeyondTheDeadlineAnswersTheErrorAtOnce() {
        fake.failNext(FakeBalancer.Fault.unavailable("5"));
        long start = System.nanoTime();
        StrataException e = catchThrowableOfType(StrataException.class,
                () -> client.get(b("k"), CallOptions.defaults().withTimeout(Duration.ofSeconds(1))));
        assertThat(e.code()).isEqualTo(ErrorCode.PARTITION_UNAVAILABLE);
        assertThat(e.retryable()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
        assertThat(fake.seen).hasSize(1);
    }

    @Test
    void aWriteWhoseAttemptsTimedOutUntilTheDeadlineHasAnUnknownOutcome() {
        for (int i = 0; i < 10_000; i++) {
            fake.failNext(FakeBalancer.Fault.error(504, "TIMEOUT_UNKNOWN_OUTCOME", true));
        }
        StrataException e = catchThrowableOfType(StrataException.class,
                () -> client.put(b("k"), b("v"), CallOptions.defaults().withTimeout(Duration.ofMillis(300))));
        assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT_UNKNOWN_OUTCOME);
        assertThat(e.outcomeUnknown()).isTrue();
        assertThat(fake.seen("PUT").size()).isGreaterThan(1);
        assertThat(fake.seen("PUT").stream().map(p -> p.header("X-Request-Id")).distinct()).hasSize(1);
    }

    @Test
    void aWriteAfterAnUnknownAttemptThatEndsOnAnotherRetryableErrorIsStillUnknown() {
        fake.failNext(FakeBalancer.Fault.error(504, "TIMEOUT_UNKNOWN_OUTCOME", true));
        for (int i = 0; i < 10_000; i++) {
            fake.failNext(FakeBalancer.Fault.unavailable(null));
        }
        StrataException e = catchThrowableOfType(StrataException.class,
                () -> client.put(b("k"), b("v"), CallOptions.defaults().withTimeout(Duration.ofMillis(300))));
        assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT_UNKNOWN_OUTCOME);
        assertThat(e.outcomeUnknown()).isTrue();
    }

    @Test
    void failsOverToTheNextBalancerAndStaysThere() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        try (StrataClient c = StrataClient.builder().balancers("http://127.0.0.1:" + dead, fake.url())
                .timeout(Duration.ofSeconds(3)).build()) {
            c.put("f", "v");
            assertThat(c.get("f").orElseThrow().valueAsString()).isEqualTo("v");
            assertThat(fake.seen("PUT").get(0).header("X-Request-Id")).isNotBlank();
        }
        // a non-StrataKV 502 (a proxy) moves to the next endpoint too
        fake.failNext(FakeBalancer.Fault.notOurs(502));
        assertThat(client.get("f").orElseThrow().valueAsString()).isEqualTo("v");
    }

    @Test
    void noReachableBalancerIsBalancerUnavailableAndAWriteThatNeverConnectedIsNotUnknown() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        try (StrataClient c = StrataClient.builder().balancer("http://127.0.0.1:" + dead)
                .timeout(Duration.ofMillis(300)).backoff(Duration.ofMillis(5), Duration.ofMillis(20)).build()) {
            StrataException r = catchThrowableOfType(StrataException.class, () -> c.get("k"));
            assertThat(r.code()).isEqualTo(ErrorCode.UNREACHABLE);
            assertThat(r.retryable()).isTrue();
            StrataException w = catchThrowableOfType(StrataException.class, () -> c.put("k", "v"));
            assertThat(w.code()).isEqualTo(ErrorCode.UNREACHABLE);
            assertThat(w.outcomeUnknown()).isFalse();
        }
    }

    @Test
    void sessionReadsCarryTheNewestPositionOfEveryPartitionWritten() {
        // keys in two different partitions, written twice: the header keeps the larger position
        List<String> keys = IntStream.range(0, 50).mapToObj(i -> "s" + i).toList();
        String a = keys.get(0);
        String b = keys.stream().filter(k -> FakeBalancer.partitionOf(b(k)) != FakeBalancer.partitionOf(b(a)))
                .findFirst().orElseThrow();
        client.put(a, "1");
        WriteResult a2 = client.put(a, "2");
        WriteResult b1 = client.put(b, "1");
        client.get(b(a), CallOptions.defaults().withRead(ReadConsistency.SESSION));
        client.get(b(a), CallOptions.defaults().withRead(ReadConsistency.STRONG));
        client.get(b(a), CallOptions.defaults().withRead(ReadConsistency.EVENTUAL));
        client.get(a); // the keyspace's default may be SESSION: the tokens go along
        List<FakeBalancer.Seen> gets = fake.seen("GET");
        Map<Integer, Position> expected = Map.of(a2.partition(), a2.position().orElseThrow(),
                b1.partition(), b1.position().orElseThrow());
        String header = expected.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        assertThat(gets.get(0).header("X-Strata-Session")).isEqualTo(header);
        assertThat(gets.get(1).header("X-Strata-Session")).isNull();
        assertThat(gets.get(2).header("X-Strata-Session")).isNull();
        assertThat(gets.get(3).header("X-Strata-Session")).isEqualTo(header);
        assertThat(client.sessionPositions("default")).isEqualTo(expected);
        // another keyspace has its own positions
        assertThat(client.sessionPositions("other")).isEmpty();
    }

    @Test
    void batchPutAndBatchGetKeepTheOrderAndReportEachItem() {
        long v = client.put("b2", "old").version().getAsLong();
        List<BatchWriteResult> w = client.batchPut(List.of(
                BatchWrite.put("b1", "one"),
                BatchWrite.putIfVersion(b("b2"), b("new"), v + 1000), // wrong version
                BatchWrite.putIfVersion(b("b3"), b("three"), 0),
                BatchWrite.delete("b4")));
        assertThat(w).extracting(BatchWriteResult::keyAsString).containsExactly("b1", "b2", "b3", "b4");
        assertThat(w).extracting(BatchWriteResult::status).containsExactly(BatchWriteResult.Status.APPLIED,
                BatchWriteResult.Status.PRECONDITION_FAILED, BatchWriteResult.Status.APPLIED, BatchWriteResult.Status.APPLIED);
        assertThat(w.get(1).version()).hasValue(v);
        assertThat(fake.seen("POST").get(0).path()).isEqualTo("/v1/kv/default:batchPut");
        assertThat(fake.seen("POST").get(0).header("X-Request-Id")).isNotBlank();

        List<BatchGetResult> r = client.batchGet(List.of(b("b3"), b("nope"), b("b1"), b("b2")));
        assertThat(r).extracting(BatchGetResult::keyAsString).containsExactly("b3", "nope", "b1", "b2");
        assertThat(r.get(0).value().orElseThrow().valueAsString()).isEqualTo("three");
        assertThat(r.get(1).value()).isEmpty();
        assertThat(r.get(3).value().orElseThrow().valueAsString()).isEqualTo("old");
        // the batch's positions feed SESSION reads
        assertThat(client.sessionPositions("default")).containsKey(FakeBalancer.partitionOf(b("b3")));
    }

    @Test
    void aBatchPutRetriedAfterAnUnknownOutcomeAppliesOnce() {
        fake.failNext(FakeBalancer.Fault.applyThen504());
        List<BatchWriteResult> w = client.batchPut(List.of(BatchWrite.put("x1", "1"), BatchWrite.put("x2", "2")));
        assertThat(w).allMatch(BatchWriteResult::duplicate);
        List<FakeBalancer.Seen> posts = fake.seen("POST");
        assertThat(posts).hasSize(2);
        assertThat(fake.applications.get(posts.get(0).header("X-Request-Id"))).isEqualTo(1);
    }

    @Test
    void scansFollowContinuationTokensInKeyOrderUpToTheLimit() {
        for (int i = 0; i < 250; i++) {
            fake.putDirect("default", String.format("p/%04d", i), "v" + i);
        }
        fake.putDirect("default", "q/0", "other prefix");
        fake.putDirect("default", "o/9", "other prefix");
        List<KeyValue> all = client.scan(Scan.prefix("p/")).toList();
        assertThat(all).hasSize(250);
        assertThat(FakeBalancer.keys(all)).isSorted();
        assertThat(all.get(17).valueAsString()).isEqualTo("v17");
        assertThat(fake.seen("GET")).hasSize(3);
        assertThat(fake.seen("GET").get(1).query()).containsKey("continuation");

        fake.seen.clear();
        List<KeyValue> limited = client.scan(Scan.prefix("p/").limit(120)).toList();
        assertThat(limited).hasSize(120);
        assertThat(fake.seen("GET").stream().map(s -> s.query().get("limit")).toList()).containsExactly("100", "20");

        List<KeyValue> range = client.scan(Scan.range("p/0010", "p/0013")).toList();
        assertThat(FakeBalancer.keys(range)).containsExactly("p/0010", "p/0011", "p/0012");

        // lazily: one page fetched until the iterator needs the next
        fake.seen.clear();
        Iterator<KeyValue> it = client.scanIterator(Scan.prefix("p/").pageSize(10), CallOptions.defaults());
        List<String> firstTen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            firstTen.add(it.next().keyAsString());
        }
        assertThat(fake.seen("GET")).hasSize(1);
        assertThat(firstTen.get(9)).isEqualTo("p/0009");
        ScanPage page = client.scanPage(Scan.prefix("zzz"), Optional.empty(), CallOptions.defaults());
        assertThat(page.entries()).isEmpty();
        assertThat(page.continuation()).isEmpty();
    }

    @Test
    void positionsOrderByOffsetAndParseTheirWireForm() {
        assertThat(Position.parse("7:42")).isEqualTo(new Position(7, 42));
        assertThat(new Position(7, 42).toString()).isEqualTo("7:42");
        assertThat(new Position(3, 50)).isGreaterThan(new Position(7, 42));
        assertThatThrownBy(() -> Position.parse("742")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Position.parse("a:b")).isInstanceOf(IllegalArgumentException.class);
        SessionTokens t = new SessionTokens();
        t.observe("ks", 1, new Position(2, 10));
        t.observe("ks", 1, new Position(2, 5));
        t.observe("ks", 0, new Position(1, 3));
        assertThat(t.header("ks")).contains("0=1:3,1=2:10");
        assertThat(t.header("none")).isEmpty();
    }

    @Test
    void builderRefusesBadSettings() {
        assertThatThrownBy(() -> StrataClient.builder().build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StrataClient.builder().balancer("localhost:8080")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StrataClient.builder().keyspace("Bad Name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallOptions.defaults().withKeyspace("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.put(new byte[0], b("v"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.compareAndSet("k", "v", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
