package io.stratakv.balancer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import org.junit.jupiter.api.Test;

import java.io.File;

import static org.assertj.core.api.Assertions.assertThat;

/** config-examples/balancer.yml parses, validates and spells out every key. */
class ConfigExampleTest {

    @Test
    void balancerExampleIsValid() throws Exception {
        File yml = new File("../config-examples/balancer.yml");
        BalancerConfiguration c = new YamlConfigurationFactory<>(BalancerConfiguration.class,
                Validators.newValidator(), Jackson.newObjectMapper(), "ignored-prefix") // not "dw": other tests set dw.* overrides
                .build(yml);
        assertThat(c.getZookeeper().getCluster()).isEqualTo("dev");
        assertThat(c.getRequests().getDefaultTimeout().toSeconds()).isEqualTo(5);
        assertThat(c.getNodeClient().getMaxConnectionsPerNode()).isEqualTo(64);
        assertThat(c.getLimits().maxKeyBytes()).isEqualTo(4096);
        JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yml);
        assertThat(c.getHealth().getInterval().toMilliseconds()).isEqualTo(1000);
        assertThat(c.getLimits().getMaxScanLimit()).isEqualTo(1000);
        for (String group : new String[]{"zookeeper", "requests", "nodeClient", "limits", "health"}) {
            assertThat(tree.has(group)).as(group).isTrue();
        }
        assertThat(tree.get("requests").has("backoffMax")).isTrue();
        assertThat(tree.get("nodeClient").has("suspectFor")).isTrue();
        for (String key : new String[]{"interval", "timeout", "unhealthyAfter", "healthyAfter", "outlierFactor", "outlierFloor"}) {
            assertThat(tree.get("health").has(key)).as("health." + key).isTrue();
        }
        assertThat(tree.get("limits").has("maxBatchKeys")).isTrue();
        assertThat(tree.has("reconcileInterval")).isTrue();
    }
}
