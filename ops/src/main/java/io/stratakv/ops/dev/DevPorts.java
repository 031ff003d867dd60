package io.stratakv.ops.dev;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each service of the dev cluster listens (all on 127.0.0.1). The defaults are the ports
 * the CLI and the examples assume (balancer 8080, controller 7070, ZooKeeper 2181); a base port
 * packs everything into one consecutive block instead, for a second cluster or a test.
 */
record DevPorts(int zookeeper, int controller, int controllerAdmin, int balancer, int balancerAdmin,
                List<Integer> nodes, List<Integer> nodesAdmin) {

    static final String HOST = "127.0.0.1";

    static DevPorts defaults(int nodeCount) {
        List<Integer> app = new ArrayList<>();
        List<Integer> admin = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            app.add(7080 + 100 * i);   // 7180, 7280, ...: node i, the way the examples number them
            admin.add(7081 + 100 * i);
        }
        return new DevPorts(2181, 7070, 7071, 8080, 8081, List.copyOf(app), List.copyOf(admin));
    }

    /** ZooKeeper base, controller base+1/+2, balancer base+3/+4, node i base+3+2i/+4+2i. */
    static DevPorts fromBase(int base, int nodeCount) {
        List<Integer> app = new ArrayList<>();
        List<Integer> admin = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            app.add(base + 3 + 2 * i);
            admin.add(base + 4 + 2 * i);
        }
        return new DevPorts(base, base + 1, base + 2, base + 3, base + 4, List.copyOf(app), List.copyOf(admin));
    }

    static DevPorts of(DevOptions o) {
        return o.basePort() == null ? defaults(o.nodes()) : fromBase(o.basePort(), o.nodes());
    }

    boolean isDefault() {
        return zookeeper == 2181 && controller == 7070 && balancer == 8080;
    }

    /** Every port with what uses it, in start order. */
    Map<Integer, String> all() {
        Map<Integer, String> m = new LinkedHashMap<>();
        m.put(zookeeper, "zookeeper");
        m.put(controller, "controller");
        m.put(controllerAdmin, "controller admin");
        for (int i = 0; i < nodes.size(); i++) {
            m.put(nodes.get(i), "node-" + (i + 1));
            m.put(nodesAdmin.get(i), "node-" + (i + 1) + " admin");
        }
        m.put(balancer, "balancer");
        m.put(balancerAdmin, "balancer admin");
        return m;
    }

    static String url(int port) {
        return "http://" + HOST + ":" + port;
    }
}
