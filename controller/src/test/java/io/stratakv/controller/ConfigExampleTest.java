package io.stratakv.controller;

import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import org.junit.jupiter.api.Test;

import java.io.File;

import static org.assertj.core.api.Assertions.assertThat;

/** config-examples/controller.yml parses and validates, so the README's command starts. */
class ConfigExampleTest {

    @Test
    void controllerExampleIsValid() throws Exception {
        File yml = new File("../config-examples/controller.yml");
        if (!yml.exists()) {
            yml = new File("config-examples/controller.yml");
        }
        ControllerConfiguration c = new YamlConfigurationFactory<>(ControllerConfiguration.class,
                Validators.newValidator(), Jackson.newObjectMapper(), "ignored-prefix") // not "dw": other tests in this JVM set dw.* overrides
                .build(yml);
        assertThat(c.getControllerId()).isEqualTo("controller-1");
        assertThat(c.getZookeeper().getSessionTimeout().toSeconds()).isEqualTo(10);
        assertThat(c.getDefaultKeyspace().getReplicationFactor()).isEqualTo(3);
        assertThat(c.getMoves().getMaxMovesInFlight()).isEqualTo(2);
        assertThat(c.getMoves().getReplaceDownNodeAfter().toMinutes()).isEqualTo(10);
        assertThat(c.getLeaderTransferTimeout().toSeconds()).isEqualTo(3);
        assertThat(c.isLeaderBalancing()).isTrue();
        // The values above are the defaults too: check that the example really spells the new keys out.
        com.fasterxml.jackson.databind.JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yml);
        assertThat(tree.get("moves").has("maxMovesInFlight")).isTrue();
        assertThat(tree.has("leaderTransferTimeout")).isTrue();
    }
}
