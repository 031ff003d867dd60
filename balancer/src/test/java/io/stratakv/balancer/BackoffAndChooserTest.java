package io.stratakv.balancer;

import io.stratakv.balancer.routing.Backoff;
import io.stratakv.balancer.routing.NodeHealth;
import io.stratakv.balancer.routing.ReplicaChooser;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffAndChooserTest {

    @Test
    void backoffDoublesWithJitterAndStaysUnderItsCap() {
        Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), new Random(1));
        for (int i = 0; i < 1000; i++) {
            int n = i % 8;
            long cap = Math.min(100, 10L << n);
            Duration d = b.delay(n);
            assertThat(d.toNanos()).isBetween(cap * 1_000_000 / 2, cap * 1_000_000);
        }
    }

    @Test
    void leastOutstandingOfTwoAndSuspectNodesAvoided() throws Exception {
        AtomicLong now = new AtomicLong();
        NodeHealth h = new NodeHealth(2, Duration.ofSeconds(5), 10, now::get);
        ReplicaChooser c = new ReplicaChooser(h, new Random(7));
        assertThat(h.acquire("a", Duration.ZERO)).isTrue(); // a has one request in flight
        for (int i = 0; i < 50; i++) {
            assertThat(c.choose(List.of("a", "b"), Set.of("a", "b"), Set.of())).contains("b");
        }
        h.release("a");
        h.failure("b");
        h.failure("b");
        assertThat(h.isSuspect("b")).isTrue();
        for (int i = 0; i < 50; i++) {
            assertThat(c.choose(List.of("a", "b", "c"), Set.of("a", "b", "c"), Set.of("c"))).contains("a");
        }
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(h.isSuspect("b")).isFalse();
        // Every replica failed in this request or is down: still an answer, never an empty pick while one remains.
        assertThat(c.choose(List.of("a", "b"), Set.of(), Set.of("a"))).contains("b");
    }
}
