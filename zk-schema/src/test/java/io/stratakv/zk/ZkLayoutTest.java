package io.stratakv.zk;

import io.stratakv.zk.contract.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZkLayoutTest {

    private final ZkLayout layout = ZkLayout.forCluster("prod");

    @Test
    void pathsOfTheDesign() {
        assertThat(layout.root()).isEqualTo("/strata/prod");
        assertThat(layout.cluster()).isEqualTo("/strata/prod/cluster");
        assertThat(layout.controllerLatch()).isEqualTo("/strata/prod/controller/latch");
        assertThat(layout.controllerEpoch()).isEqualTo("/strata/prod/controller/epoch");
        assertThat(layout.registeredNode("n1")).isEqualTo("/strata/prod/nodes/registered/n1");
        assertThat(layout.liveNode("n1")).isEqualTo("/strata/prod/nodes/live/n1");
        assertThat(layout.keyspace("default")).isEqualTo("/strata/prod/keyspaces/default");
        assertThat(layout.partitions("default")).isEqualTo("/strata/prod/partitions/default");
        assertThat(layout.partition("default", 0)).isEqualTo("/strata/prod/partitions/default/0");
        assertThat(layout.partition("default", 17)).isEqualTo("/strata/prod/partitions/default/17");
    }

    @Test
    void containersAreParentsFirst() {
        List<String> c = layout.containers();
        assertThat(c.getFirst()).isEqualTo("/strata/prod");
        for (int i = 1; i < c.size(); i++) {
            String parent = c.get(i).substring(0, c.get(i).lastIndexOf('/'));
            assertThat(c.subList(0, i)).as(c.get(i)).contains(parent);
        }
        assertThat(c).contains(layout.registeredNodes(), layout.liveNodes(), layout.keyspaces(), layout.partitions(),
                layout.controller());
    }

    @Test
    void configurableRoot() {
        ZkLayout custom = ZkLayout.atRoot("/teams/kv/strata-prod");
        assertThat(custom.partition("orders", 3)).isEqualTo("/teams/kv/strata-prod/partitions/orders/3");
        for (String bad : List.of("", "/", "strata", "/strata/", "//strata", "/strata//x", "/strata/../x", "/./x",
                "/zookeeper", "/zookeeper/quota", "/a\u0000b")) {
            assertThatThrownBy(() -> ZkLayout.atRoot(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void namesAreValidatedWithStableCodes() {
        assertCode(() -> ZkLayout.forCluster("Prod"), ErrorCode.INVALID_CLUSTER_NAME);
        assertCode(() -> layout.registeredNode("../x"), ErrorCode.INVALID_NODE_ID);
        assertCode(() -> layout.liveNode(""), ErrorCode.INVALID_NODE_ID);
        assertCode(() -> layout.keyspace("a/b"), ErrorCode.INVALID_KEYSPACE_NAME);
        assertCode(() -> layout.partitions(null), ErrorCode.INVALID_KEYSPACE_NAME);
        assertCode(() -> layout.partition("default", -1), ErrorCode.INVALID_PARTITION_ID);
    }

    @Test
    void nameRule() {
        for (String ok : List.of("a", "0", "default", "user_events", "n-1", "a".repeat(63), "9lives")) {
            assertThat(ZkNames.requireKeyspace(ok)).isEqualTo(ok);
        }
        for (String bad : List.of("", "A", "_a", "-a", "a.b", "a b", "ä", "a".repeat(64), ".", "..", "a/b", "é")) {
            assertCode(() -> ZkNames.requireKeyspace(bad), ErrorCode.INVALID_KEYSPACE_NAME);
        }
        assertThatThrownBy(() -> ZkNames.requireKeyspace("Bad"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("INVALID_KEYSPACE_NAME: ")
                .hasMessageContaining("'Bad'");
    }

    @Test
    void partitionIdsParseOnlyInCanonicalForm() {
        assertThat(ZkNames.parsePartitionId("0")).isZero();
        assertThat(ZkNames.parsePartitionId("42")).isEqualTo(42);
        assertThat(ZkNames.parsePartitionId("2147483647")).isEqualTo(Integer.MAX_VALUE);
        for (String bad : List.of("", "-1", "+1", "01", "00", "1a", " 1", "2147483648", "99999999999", "١")) {
            assertCode(() -> ZkNames.parsePartitionId(bad), ErrorCode.INVALID_PARTITION_ID);
        }
        assertCode(() -> ZkNames.parsePartitionId(null), ErrorCode.INVALID_PARTITION_ID);
    }

    private static void assertCode(Runnable r, ErrorCode code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(InvalidNameException.class,
                e -> assertThat(e.code()).isEqualTo(code));
    }
}
