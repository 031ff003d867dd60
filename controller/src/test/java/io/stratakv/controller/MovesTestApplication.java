package io.stratakv.controller;

import io.stratakv.controller.core.Elector;
import io.stratakv.controller.core.NodeClient;
import io.stratakv.controller.election.ElectionMetrics;
import io.stratakv.controller.membership.Membership;
import io.stratakv.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;

/**
 * The controller with the fakes of {@link FakeNodes} plugged into its hooks: the real membership,
 * election task, planned transfers and moves run over an elector that fences nothing and a node
 * client that answers from the partition records.
 */
public class MovesTestApplication extends ControllerApplication {

    @Override
    protected Elector elector(ControllerConfiguration config, CuratorFramework client, ZkLayout layout,
                              NodeClient nodes, Membership membership, ElectionMetrics metrics) {
        return new FakeNodes.FakeElector(client, layout);
    }

    @Override
    protected NodeClient nodeClient(ControllerConfiguration config) {
        return new FakeNodes.FakeNodeClient(curator(), ZkLayout.forCluster(config.getZookeeper().getCluster()));
    }
}
