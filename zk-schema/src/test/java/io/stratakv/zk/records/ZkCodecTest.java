package io.stratakv.zk.records;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZkCodecTest {

    private static final String PATH = "/strata/prod/partitions/default/0";

    static List<ZkRecord> records() {
        return Samples.all();
    }

    @ParameterizedTest
    @MethodSource("records")
    void everyRecordRoundTrips(ZkRecord record) {
        byte[] json = ZkCodec.encode(record);
        assertThat(ZkCodec.decode(json, record.getClass(), PATH)).isEqualTo(record);
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).startsWith("{\"schema\":1,").doesNotContain("\n");
    }

    /** The stored form is a contract with every module and with operators reading zkCli output. */
    @Test
    void partitionJsonIsStable() {
        assertThat(utf8(ZkCodec.encode(Samples.partition()))).isEqualTo("""
                {"schema":1,"keyspace":"default","partitionId":0,\
                "range":{"start":"0x0000000000000000","end":"0x3fffffffffffffff"},\
                "replicas":["n1","n2","n3"],"learners":[],"leader":"n1","leaderEpoch":1,"state":"ONLINE",\
                "controllerEpoch":7,"reassignment":null,"split":null}""");
        assertThat(utf8(ZkCodec.encode(Samples.controllerEpoch())))
                .isEqualTo("{\"schema\":1,\"epoch\":7,\"controllerId\":\"ctl-a\",\"since\":\"2025-01-31T12:00:00Z\"}");
        assertThat(utf8(ZkCodec.encode(Samples.node()))).isEqualTo("""
                {"schema":1,"nodeId":"n1","host":"10.0.0.11","dataPort":7400,"internalPort":7401,"adminPort":7402,\
                "rack":"rack-a","capacity":{"diskBytes":536870912000,"weight":100},"state":"ACTIVE",\
                "registeredAt":"2025-01-31T12:00:00Z"}""");
    }

    @Test
    void unknownFieldsOfTheKnownVersionAreIgnored() {
        String json = "{\"schema\":1,\"epoch\":7,\"controllerId\":\"ctl-a\",\"since\":\"2025-01-31T12:00:00Z\","
                + "\"addedLater\":{\"x\":[1,2]}}";
        assertThat(ZkCodec.decode(bytes(json), ControllerEpochRecord.class, PATH)).isEqualTo(Samples.controllerEpoch());
    }

    @Test
    void absentOptionalAndCollectionFieldsReadAsEmpty() {
        String json = """
                {"schema":1,"keyspace":"default","partitionId":0,
                 "range":{"start":"0x0000000000000000","end":"0x3fffffffffffffff"},
                 "replicas":["n1","n2","n3"],"leaderEpoch":0,"state":"OFFLINE","controllerEpoch":7}""";
        PartitionRecord p = ZkCodec.decode(bytes(json), PartitionRecord.class, PATH);
        assertThat(p.learners()).isEmpty();
        assertThat(p.leader()).isEmpty();
        assertThat(p.reassignment()).isEmpty();
        assertThat(p.split()).isEmpty();
    }

    @Test
    void unknownSchemaVersionIsRefusedNamingThePath() {
        String json = "{\"schema\":2,\"epoch\":7,\"controllerId\":\"ctl-a\",\"since\":\"2025-01-31T12:00:00Z\"}";
        assertThatThrownBy(() -> ZkCodec.decode(bytes(json), ControllerEpochRecord.class, PATH))
                .isInstanceOfSatisfying(SchemaException.class, e -> {
                    assertThat(e.problem()).isEqualTo(SchemaException.Problem.UNSUPPORTED_SCHEMA);
                    assertThat(e.path()).isEqualTo(PATH);
                    assertThat(e.type()).isEqualTo(ControllerEpochRecord.class);
                })
                .hasMessageContaining(PATH).hasMessageContaining("schema 2");
    }

    @Test
    void missingOrNonIntegerSchemaIsRefused() {
        for (String json : List.of("{\"epoch\":7}", "{\"schema\":\"1\",\"epoch\":7}", "{\"schema\":1.5}",
                "{\"schema\":null}", "{\"schema\":99999999999}")) {
            assertThatThrownBy(() -> ZkCodec.decode(bytes(json), ControllerEpochRecord.class, PATH)).as(json)
                    .isInstanceOfSatisfying(SchemaException.class,
                            e -> assertThat(e.problem()).isEqualTo(SchemaException.Problem.MISSING_SCHEMA))
                    .hasMessageContaining(PATH);
        }
    }

    @Test
    void malformedJsonIsRefusedNamingThePath() {
        for (String json : List.of("{\"schema\":1,", "not json", "[1,2]", "{\"schema\":1} trailing", "42",
                "{\"schema\":1,\"schema\":1}")) {
            assertThatThrownBy(() -> ZkCodec.decode(bytes(json), ControllerEpochRecord.class, PATH)).as(json)
                    .isInstanceOfSatisfying(SchemaException.class,
                            e -> assertThat(e.problem()).isEqualTo(SchemaException.Problem.MALFORMED_JSON))
                    .hasMessageContaining(PATH);
        }
    }

    @Test
    void emptyZnodeIsRefused() {
        assertThatThrownBy(() -> ZkCodec.decode(new byte[0], ClusterRecord.class, PATH))
                .isInstanceOfSatisfying(SchemaException.class,
                        e -> assertThat(e.problem()).isEqualTo(SchemaException.Problem.EMPTY));
        assertThatThrownBy(() -> ZkCodec.decode(null, ClusterRecord.class, PATH)).isInstanceOf(SchemaException.class);
    }

    @Test
    void missingRequiredFieldIsRefusedNamingFieldAndPath() {
        // leaderEpoch (a primitive, so Jackson would otherwise silently read 0) is missing.
        String json = """
                {"schema":1,"keyspace":"default","partitionId":0,
                 "range":{"start":"0x0000000000000000","end":"0x3fffffffffffffff"},
                 "replicas":["n1"],"state":"OFFLINE","controllerEpoch":7}""";
        assertInvalid(json, PartitionRecord.class, "leaderEpoch");
        // An object field missing.
        assertInvalid("{\"schema\":1,\"epoch\":7,\"since\":\"2025-01-31T12:00:00Z\"}", ControllerEpochRecord.class,
                "controllerId");
        // Present but null.
        assertInvalid("{\"schema\":1,\"epoch\":7,\"controllerId\":null,\"since\":\"2025-01-31T12:00:00Z\"}",
                ControllerEpochRecord.class, "controllerId");
        assertInvalid("{\"schema\":1,\"epoch\":null,\"controllerId\":\"c\",\"since\":\"2025-01-31T12:00:00Z\"}",
                ControllerEpochRecord.class, "epoch");
    }

    @Test
    void wrongTypesAndUnknownEnumConstantsAreRefused() {
        assertInvalid("{\"schema\":1,\"epoch\":\"7\",\"controllerId\":\"c\",\"since\":\"2025-01-31T12:00:00Z\"}",
                ControllerEpochRecord.class, "epoch");
        assertInvalid("{\"schema\":1,\"epoch\":7,\"controllerId\":\"c\",\"since\":\"yesterday\"}",
                ControllerEpochRecord.class, "since");
        String json = utf8(ZkCodec.encode(Samples.partition())).replace("\"ONLINE\"", "\"HALF_ONLINE\"");
        assertInvalid(json, PartitionRecord.class, "HALF_ONLINE");
    }

    @Test
    void brokenInvariantsAreRefusedWithTheRecordsOwnMessage() {
        String leaderNotAReplica = utf8(ZkCodec.encode(Samples.partition())).replace("\"leader\":\"n1\"", "\"leader\":\"n9\"");
        assertInvalid(leaderNotAReplica, PartitionRecord.class, "leader n9 is not one of the replicas");
        String onlineWithoutLeader = utf8(ZkCodec.encode(Samples.partition())).replace("\"leader\":\"n1\"", "\"leader\":null");
        assertInvalid(onlineWithoutLeader, PartitionRecord.class, "needs a leader");
        String badName = utf8(ZkCodec.encode(Samples.keyspace())).replace("\"default\"", "\"Default\"");
        assertInvalid(badName, KeyspaceRecord.class, "INVALID_KEYSPACE_NAME");
        String badRange = utf8(ZkCodec.encode(Samples.partition())).replace("\"0x3fffffffffffffff\"", "\"0x3f\"");
        assertInvalid(badRange, PartitionRecord.class, "0x3f");
    }

    @Test
    void refusesToEncodeAnUnknownSchemaVersion() {
        assertThatThrownBy(() -> new ClusterRecord(2, "prod", "id", Samples.T))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema 2");
    }

    @Test
    void theSameRecordAlwaysEncodesToTheSameBytes() {
        java.util.Map<String, String> options = new java.util.HashMap<>();
        for (String k : List.of("zeta", "alpha", "mid", "beta", "omega", "kappa")) {
            options.put(k, k.toUpperCase(java.util.Locale.ROOT));
        }
        KeyspaceRecord k = KeyspaceRecord.creating("ks", 1, 1, WriteConsistency.ONE, ReadConsistency.EVENTUAL, true,
                options, Samples.T);
        assertThat(utf8(ZkCodec.encode(k))).contains(
                "\"options\":{\"alpha\":\"ALPHA\",\"beta\":\"BETA\",\"kappa\":\"KAPPA\",\"mid\":\"MID\",\"omega\":\"OMEGA\",\"zeta\":\"ZETA\"}");
    }

    @Test
    void optionalEmptyIsWrittenAsNull() {
        NodeRegistration noRack = NodeRegistration.active("n2", "h", 1, 2, 3, Optional.empty(),
                new NodeCapacity(1, 1), Samples.T);
        assertThat(utf8(ZkCodec.encode(noRack))).contains("\"rack\":null");
    }

    private static void assertInvalid(String json, Class<? extends ZkRecord> type, String mentions) {
        assertThatThrownBy(() -> ZkCodec.decode(bytes(json), type, PATH)).as(json)
                .isInstanceOfSatisfying(SchemaException.class, e -> {
                    assertThat(e.problem()).isEqualTo(SchemaException.Problem.INVALID_RECORD);
                    assertThat(e.path()).isEqualTo(PATH);
                })
                .hasMessageContaining(PATH)
                .hasMessageContaining(mentions);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
