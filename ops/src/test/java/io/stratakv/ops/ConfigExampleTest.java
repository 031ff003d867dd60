package io.stratakv.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.Configuration;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.stratakv.balancer.BalancerConfiguration;
import io.stratakv.controller.ControllerConfiguration;
import io.stratakv.node.NodeConfiguration;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * config-examples/three-node/*.yml parse and validate with each service's own configuration class
 * (so the README's by-hand commands start), and together form one cluster: one ZooKeeper address,
 * distinct node ids, racks, data directories and ports. (Each module's ConfigExampleTest covers its
 * top-level example; the dev cluster's generated YAML is checked in dev.DevConfigsTest.)
 */
class ConfigExampleTest {

    static final Path EXAMPLES = Path.of("../config-examples");

    static <T extends Configuration> T parse(Class<T> type, File yml) throws Exception {
        // Prefix not "dw": other tests in a JVM may leave dw.* system properties behind.
        return new YamlConfigurationFactory<>(type, Validators.newValidator(), Jackson.newObjectMapper(), "ops-example-only")
                .build(yml);
    }

    @Test
    void threeNodeTopologyIsOneValidCluster() throws Exception {
        Path dir = EXAMPLES.resolve("three-node");
        ControllerConfiguration controller = parse(ControllerConfiguration.class, dir.resolve("controller.yml").toFile());
        BalancerConfiguration balancer = parse(BalancerConfiguration.class, dir.resolve("balancer.yml").toFile());
        assertThat(controller.getDefaultKeyspace().getReplicationFactor()).isEqualTo(3);
        assertThat(controller.getDefaultKeyspace().getPartitions()).isEqualTo(8);

        Set<String> zk = new HashSet<>(List.of(controller.getZookeeper().getConnect() + "/" + controller.getZookeeper().getCluster(),
                balancer.getZookeeper().getConnect() + "/" + balancer.getZookeeper().getCluster()));
        List<Integer> ports = new ArrayList<>();
        ports.addAll(ports(dir.resolve("controller.yml")));
        ports.addAll(ports(dir.resolve("balancer.yml")));
        Set<String> ids = new HashSet<>();
        Set<String> racks = new HashSet<>();
        Set<String> dataDirs = new HashSet<>();
        for (int i = 1; i <= 3; i++) {
            Path f = dir.resolve("node-" + i + ".yml");
            NodeConfiguration n = parse(NodeConfiguration.class, f.toFile());
            assertThat(n.getNodeId()).isEqualTo("node-" + i);
            ids.add(n.getNodeId());
            racks.add(n.getRack());
            dataDirs.add(n.getDataDir().toString());
            zk.add(n.getZookeeper().getConnect() + "/" + n.getZookeeper().getCluster());
            ports.addAll(ports(f));
        }
        assertThat(ids).hasSize(3);
        assertThat(racks).hasSize(3);
        assertThat(dataDirs).hasSize(3);
        assertThat(zk).as("every service on the same ZooKeeper and cluster").containsExactly("127.0.0.1:2181/dev");
        assertThat(new HashSet<>(ports)).as("ports " + ports).hasSize(ports.size()).hasSize(10);
        // The ports the CLI assumes by default.
        assertThat(ports).contains(8080, 7070);
    }

    /** Application and admin ports of one example file. */
    static List<Integer> ports(Path yml) throws Exception {
        JsonNode server = new ObjectMapper(new YAMLFactory()).readTree(yml.toFile()).get("server");
        List<Integer> p = new ArrayList<>();
        for (String group : List.of("applicationConnectors", "adminConnectors")) {
            for (JsonNode c : server.get(group)) {
                p.add(c.get("port").asInt());
                assertThat(c.get("bindHost").asText()).as(yml + " " + group).isEqualTo("127.0.0.1");
            }
        }
        return p;
    }
}
