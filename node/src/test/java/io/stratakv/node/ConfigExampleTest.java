package io.stratakv.node;

import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.stratakv.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;

import java.io.File;

import static org.assertj.core.api.Assertions.assertThat;

/** config-examples/node.yml parses and validates, and says what the defaults say. */
class ConfigExampleTest {

    @Test
    void nodeExampleIsValid() throws Exception {
        File yml = new File("../config-examples/node.yml");
        if (!yml.exists()) {
            yml = new File("config-examples/node.yml");
        }
        NodeConfiguration c = new YamlConfigurationFactory<>(NodeConfiguration.class,
                Validators.newValidator(), Jackson.newObjectMapper(), "example-only").build(yml); // not "dw": node tests leave dw.* overrides behind
        NodeConfiguration d = new NodeConfiguration();
        assertThat(c.getNodeId()).isEqualTo("node-1");
        assertThat(c.getStorage().getFsyncPolicy()).isEqualTo(FsyncPolicy.ALWAYS).isEqualTo(d.getStorage().getFsyncPolicy());
        assertThat(c.getStorage().getMemtableSize()).isEqualTo(d.getStorage().getMemtableSize());
        assertThat(c.getStorage().getMemtableBudget()).isEqualTo(d.getStorage().getMemtableBudget());
        assertThat(c.getLimits().getMaxValueSize()).isEqualTo(d.getLimits().getMaxValueSize());
        assertThat(c.getLimits().getRequestTimeout()).isEqualTo(d.getLimits().getRequestTimeout());
        assertThat(c.getReplication().getFetchMaxWait()).isEqualTo(d.getReplication().getFetchMaxWait());
        assertThat(c.getReplication().getRetention().settings()).isEqualTo(d.getReplication().getRetention().settings());
        assertThat(c.getZookeeper().getSessionTimeout()).isEqualTo(d.getZookeeper().getSessionTimeout());
    }
}
