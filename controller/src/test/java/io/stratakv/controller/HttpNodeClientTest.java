package io.stratakv.controller;

import io.stratakv.controller.client.HttpNodeClient;
import io.stratakv.controller.client.NodeCallException;
import io.stratakv.zk.contract.ErrorCode;
import io.stratakv.zk.contract.FenceRequest;
import io.stratakv.zk.contract.FenceResponse;
import io.stratakv.zk.records.NodeCapacity;
import io.stratakv.zk.records.NodeRegistration;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpNodeClientTest {

    private static NodeRegistration at(FakeNode n) {
        return NodeRegistration.active(n.id, "127.0.0.1", n.port(), n.port(), n.port(), Optional.empty(),
                new NodeCapacity(1, 1), Instant.now());
    }

    @Test
    void fencesReadsStatusAndTurnsAnErrorBodyIntoATypedException() throws Exception {
        try (FakeNode n = new FakeNode("n1", "r")) {
            n.position("ks", 3, 2, 40);
            HttpNodeClient client = new HttpNodeClient(Duration.ofSeconds(1));
            FenceResponse r = client.fence(at(n), new FenceRequest("ks", 3, 5, 1, List.of("n1"), List.of()));
            assertThat(r).isEqualTo(new FenceResponse("n1", "ks", 3, 5, 2, 40, 0));
            assertThat(client.status(at(n)).nodeId()).isEqualTo("n1");
            assertThat(client.healthy(at(n))).isTrue();

            assertThatThrownBy(() -> client.fence(at(n), new FenceRequest("ks", 3, 4, 1, List.of("n1"), List.of())))
                    .isInstanceOfSatisfying(NodeCallException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH);
                        assertThat(e.httpStatus()).isEqualTo(409);
                        assertThat(e.nodeId()).isEqualTo("n1");
                    });
            n.healthy = false;
            assertThat(client.healthy(at(n))).isFalse();
        }
    }

    @Test
    void aNodeThatDoesNotAnswerInTimeThrowsAnIoErrorNotANodeError() throws Exception {
        try (FakeNode n = new FakeNode("n1", "r")) {
            n.holdFences();
            HttpNodeClient client = new HttpNodeClient(Duration.ofMillis(200));
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.fence(at(n), new FenceRequest("ks", 0, 1, 1, List.of("n1"), List.of())))
                    .isInstanceOf(IOException.class);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
            n.stopServer();
            assertThat(client.healthy(at(n))).isFalse();
        }
    }
}
