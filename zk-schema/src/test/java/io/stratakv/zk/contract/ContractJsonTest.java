package io.stratakv.zk.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.stratakv.zk.StrataJson;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContractJsonTest {

    private static final ObjectMapper STRICT = StrataJson.newMapper();
    /** Roughly what Dropwizard's mapper is: the contract must not depend on our configuration. */
    private static final ObjectMapper PLAIN = JsonMapper.builder().addModule(new Jdk8Module()).build();

    static List<Object> messages() {
        PartitionStatus leader = new PartitionStatus("default", 0, ReplicaRole.LEADER, 7, 0, 1200, 1190, 1185, 0, 1 << 20);
        PartitionStatus follower = new PartitionStatus("default", 1, ReplicaRole.FOLLOWER, 3, 100, 900, 880, 880, 20, 4096);
        PartitionStatus split = new PartitionStatus("default", 2, ReplicaRole.FOLLOWER, 3, 0, 901, 901, 901, 0, 4096,
                java.util.OptionalLong.of(900));
        return List.of(
                new NodeStatus("n3", 2, List.of(split)),
                new FenceRequest("default", 0, 8, 3, List.of("n1", "n2", "n3"), List.of("n4")),
                new FenceResponse("n2", "default", 0, 8, 7, 1200, 1190),
                new NodeStatus("n1", 4, List.of(leader, follower)),
                new TransferLeadershipRequest("default", 0, 7, 3, "n2", 5000),
                new TransferLeadershipResponse("n1", "default", 0, 7, 1200, true),
                ErrorBody.of(ErrorCode.NOT_LEADER, "n1 is not the leader of default/0",
                        Map.of("leader", "n2", "leaderEpoch", "7")));
    }

    @Test
    void aStatusWithoutSplitAtFromAnOlderNodeReadsAsNotSplit() throws Exception {
        String json = "{\"keyspace\":\"default\",\"partitionId\":0,\"role\":\"LEADER\",\"epoch\":7,\"logStart\":0,"
                + "\"logEnd\":10,\"commitOffset\":10,\"appliedOffset\":10,\"lagRecords\":0,\"sizeBytes\":5}";
        for (ObjectMapper mapper : List.of(STRICT, PLAIN)) {
            PartitionStatus s = mapper.readValue(json, PartitionStatus.class);
            assertThat(s.splitAt()).isEmpty();
            assertThat(s.sizeBytes()).isEqualTo(5);
        }
        assertThatThrownBy(() -> STRICT.readValue(json.replace("\"sizeBytes\":5", "\"sizeBytes\":5,\"splitAt\":-1"),
                PartitionStatus.class)).hasMessageContaining("splitAt");
    }

    @Test
    void everyMessageRoundTripsThroughBothMappers() throws Exception {
        for (Object m : messages()) {
            for (ObjectMapper mapper : List.of(STRICT, PLAIN)) {
                String json = mapper.writeValueAsString(m);
                assertThat(mapper.readValue(json, m.getClass())).as(json).isEqualTo(m);
                assertThat(STRICT.readValue(json, m.getClass())).isEqualTo(m);
            }
        }
    }

    @Test
    void errorBodyShape() throws Exception {
        ErrorBody e = ErrorBody.of(ErrorCode.PARTITION_UNAVAILABLE, "no leader for default/3");
        assertThat(STRICT.writeValueAsString(e)).isEqualTo(
                "{\"code\":\"PARTITION_UNAVAILABLE\",\"message\":\"no leader for default/3\",\"retryable\":true,\"details\":{}}");
        assertThat(e.httpStatus()).isEqualTo(503);
    }

    @Test
    void anUnknownErrorCodeFromANewerServerDecodesAsUnknownKeepingRetryable() throws Exception {
        String json = "{\"code\":\"SOMETHING_NEW\",\"message\":\"m\",\"retryable\":true,\"details\":{\"k\":\"v\"}}";
        for (ObjectMapper mapper : List.of(STRICT, PLAIN)) {
            ErrorBody e = mapper.readValue(json, ErrorBody.class);
            assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN);
            assertThat(e.retryable()).isTrue();
            assertThat(e.details()).containsEntry("k", "v");
        }
    }

    @Test
    void errorCodesHaveSensibleStatuses() {
        assertThat(ErrorCode.PRECONDITION_FAILED.httpStatus()).isEqualTo(412);
        assertThat(ErrorCode.PARTITION_UNAVAILABLE.httpStatus()).isEqualTo(503);
        assertThat(ErrorCode.TIMEOUT_UNKNOWN_OUTCOME.retryable()).isTrue();
        assertThat(ErrorCode.INVALID_KEYSPACE_NAME.httpStatus()).isEqualTo(400);
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(c.httpStatus()).as(c.name()).isBetween(400, 599);
            assertThat(ErrorCode.fromName(c.name())).isEqualTo(c);
        }
        assertThat(new HashSet<>(Arrays.asList(ErrorCode.values()))).hasSize(ErrorCode.values().length);
    }

    @Test
    void strictMapperRefusesMissingPrimitives() {
        assertThatThrownBy(() -> STRICT.readValue(
                "{\"nodeId\":\"n2\",\"keyspace\":\"default\",\"partitionId\":0,\"fencedEpoch\":8,\"lastEpoch\":7,\"commitOffset\":1}",
                FenceResponse.class)).hasMessageContaining("endOffset");
    }

    @Test
    void messagesCheckTheirInvariants() {
        assertThatThrownBy(() -> new FenceResponse("n2", "default", 0, 7, 8, 10, 5)).hasMessageContaining("lastEpoch 8");
        assertThatThrownBy(() -> new FenceResponse("n2", "default", 0, 8, 7, 10, 11)).hasMessageContaining("commitOffset 11");
        assertThatThrownBy(() -> new PartitionStatus("default", 0, ReplicaRole.FOLLOWER, 1, 10, 5, 0, 0, 0, 0))
                .hasMessageContaining("log [10, 5)");
        assertThatThrownBy(() -> new FenceRequest("Default", 0, 1, 1, List.of("a"), List.of()))
                .hasMessageContaining("INVALID_KEYSPACE_NAME");
    }
}
