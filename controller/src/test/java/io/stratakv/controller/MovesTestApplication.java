package io.stratakv.controller;

import io.dropwizard.core.setup.Environment;
import io.stratakv.controller.core.Elector;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.zk.Versioned;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import org.apache.curator.framework.CuratorFramework;

import java.util.Optional;

/**
 * The controller with the fakes of {@link FakeNodes} plugged into its seams, plus a stand-in for
 * the election loop (built on the election branch): every OFFLINE partition is elected.
 */
public class MovesTestApplication extends ControllerApplication {

    private FakeNodes.FakeElector elector;

    @Override
    protected Elector elector(ControllerConfiguration config, CuratorFramework client, ZkLayout layout) {
        elector = new FakeNodes.FakeElector(client, layout);
        return elector;
    }

    @Override
    protected NodeClient nodeClient(ControllerConfiguration config) {
        return new FakeNodes.FakeNodeClient(curator(), ZkLayout.forCluster(config.getZookeeper().getCluster()));
    }

    @Override
    public void run(ControllerConfiguration config, Environment env) {
        super.run(config, env);
        loop().addTask((view, fence) -> {
            for (Versioned<PartitionRecord> p : view.allPartitions()) {
                if (p.value().state() == PartitionState.OFFLINE) {
                    elector.elect(fence, p, p.value().replicas(), p.value().learners(), Optional.empty());
                }
            }
        });
    }
}
