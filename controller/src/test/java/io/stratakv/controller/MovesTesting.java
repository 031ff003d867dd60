package io.stratakv.controller;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.stratakv.zk.ZkLayout;
import io.stratakv.zk.records.PartitionRecord;
import org.apache.curator.framework.CuratorFramework;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Controllers with fake nodes (MovesTestApplication), HTTP calls, and the safety checks of voter changes. */
final class MovesTesting {

    static final ZkLayout LAYOUT = ZkLayout.forCluster(ControllerTesting.CLUSTER);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private MovesTesting() {
    }

    static DropwizardTestSupport<ControllerConfiguration> controller(String connect, String id, int partitions,
                                                                     ConfigOverride... extra) {
        List<ConfigOverride> o = new ArrayList<>(List.of(
                ConfigOverride.config("controllerId", id),
                ConfigOverride.config("zookeeper.connect", connect),
                ConfigOverride.config("zookeeper.cluster", ControllerTesting.CLUSTER),
                ConfigOverride.config("zookeeper.sessionTimeout", "3s"),
                ConfigOverride.config("reconcileInterval", "100ms"),
                ConfigOverride.config("defaultKeyspace.partitions", String.valueOf(partitions)),
                ConfigOverride.config("server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("server.adminConnectors[0].port", "0"),
                ConfigOverride.config("logging.level", "WARN")));
        o.addAll(List.of(extra));
        return new DropwizardTestSupport<>(MovesTestApplication.class, (String) null, o.toArray(new ConfigOverride[0]));
    }

    record Reply(int status, String body) {
    }

    static Reply post(DropwizardTestSupport<?> s, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.getLocalPort() + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static Reply postJson(DropwizardTestSupport<?> s, String path, String json) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.getLocalPort() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static Reply get(DropwizardTestSupport<?> s, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.getLocalPort() + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    /** Every znode under the cluster root with its data and version: to show that nothing changed. */
    static Map<String, String> snapshot(CuratorFramework client) throws Exception {
        Map<String, String> out = new TreeMap<>();
        walk(client, LAYOUT.root(), out);
        return out;
    }

    private static void walk(CuratorFramework client, String path, Map<String, String> out) throws Exception {
        org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
        byte[] data = client.getData().storingStatIn(stat).forPath(path);
        if (!path.endsWith("/latch") && !path.contains("/latch/")) {
            out.put(path, stat.getVersion() + ":" + (data == null ? "" : new String(data, java.nio.charset.StandardCharsets.UTF_8)));
        }
        for (String child : client.getChildren().forPath(path)) {
            walk(client, path + "/" + child, out);
        }
    }

    /**
     * The rules of DESIGN.md §5 on every voter change the elector published: one member added or
     * removed, a higher epoch, any majority before overlapping any majority after, and a removed
     * member never the leader at the time.
     */
    static void assertSafeVoterChanges(List<FakeNodes.Election> elections) {
        for (FakeNodes.Election e : elections) {
            Set<String> before = new HashSet<>(e.before().replicas());
            Set<String> after = new HashSet<>(e.electing().replicas());
            assertThat(e.electing().leaderEpoch()).as("epoch of %s", e).isGreaterThan(e.before().leaderEpoch());
            assertThat(e.online().leaderEpoch()).isEqualTo(e.electing().leaderEpoch());
            if (before.equals(after)) {
                continue;
            }
            Set<String> diff = new HashSet<>(before);
            diff.addAll(after);
            Set<String> common = new HashSet<>(before);
            common.retainAll(after);
            diff.removeAll(common);
            assertThat(diff).as("one member changes: %s -> %s", before, after).hasSize(1);
            for (Set<String> m1 : majorities(before)) {
                for (Set<String> m2 : majorities(after)) {
                    Set<String> x = new HashSet<>(m1);
                    x.retainAll(m2);
                    assertThat(x).as("majorities %s of %s and %s of %s overlap", m1, before, m2, after).isNotEmpty();
                }
            }
            for (String removed : before) {
                if (!after.contains(removed)) {
                    assertThat(e.before().leader()).as("leader when %s is removed", removed).isNotEqualTo(java.util.Optional.of(removed));
                }
            }
            for (String added : after) {
                if (!before.contains(added)) {
                    assertThat(e.before().learners()).as("%s was a learner before it became a voter", added).contains(added);
                }
            }
        }
    }

    private static List<Set<String>> majorities(Set<String> members) {
        List<String> list = new ArrayList<>(members);
        List<Set<String>> out = new ArrayList<>();
        for (int mask = 0; mask < (1 << list.size()); mask++) {
            if (Integer.bitCount(mask) > list.size() / 2) {
                Set<String> m = new HashSet<>();
                for (int i = 0; i < list.size(); i++) {
                    if ((mask & (1 << i)) != 0) {
                        m.add(list.get(i));
                    }
                }
                out.add(m);
            }
        }
        return out;
    }

    static List<PartitionRecord> electionsOf(String ks, int pid) {
        return FakeNodes.ELECTIONS.stream().filter(e -> e.before().keyspace().equals(ks) && e.before().partitionId() == pid)
                .map(FakeNodes.Election::online).toList();
    }
}
