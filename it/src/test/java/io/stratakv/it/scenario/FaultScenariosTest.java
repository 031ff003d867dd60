package io.stratakv.it.scenario;

import io.stratakv.it.harness.Cluster;
import io.stratakv.it.harness.ClusterSpec;
import io.stratakv.zk.records.PartitionRecord;
import io.stratakv.zk.records.PartitionState;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault scenarios of issue 6, each against a fresh cluster of separate JVMs under 8 clients
 * (STRONG reads, QUORUM/ALL writes, compare-and-set on 6 keys through the balancer), each ending
 * with the linearizability, lost-write and epoch checkers ({@link ScenarioRun#finishAndCheck()}).
 * The report of each (operations, faults, verdicts) is printed to the test output.
 */
@Tag("scenario")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FaultScenariosTest {
    private static final Duration FAILOVER = Duration.ofSeconds(60);

    private static void assumeNetwork() {
        Optional<String> why = Cluster.networkUnavailableReason();
        Assumptions.assumeTrue(why.isEmpty(), () -> "needs a network namespace per host: " + why.orElse(""));
    }

    @Test
    void killTheLeaderOfAPartitionUnderLoad() throws Exception {
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("kill-leader"))) {
            run.load(Duration.ofSeconds(4));
            String leader = run.leaderOfFirstKey();
            run.cluster().kill(leader);
            run.awaitProgress(20, FAILOVER);
            run.load(Duration.ofSeconds(4));
            run.cluster().start(leader);
            run.load(Duration.ofSeconds(4));
            run.finishAndCheck();
        }
    }

    @Test
    void cutTheLeaderOffFromItsFollowersAndZooKeeper() throws Exception {
        assumeNetwork();
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("isolate-leader"))) {
            run.load(Duration.ofSeconds(4));
            String leader = run.leaderOfFirstKey();
            // Cut from every host: its followers, the ZooKeeper servers, the controllers and the balancer.
            run.cluster().isolate(leader);
            run.load(Duration.ofSeconds(3 * run.cluster().spec().sessionTimeout().toSeconds()));
            Cluster.await("a new leader for the isolated node's partition", FAILOVER,
                    () -> run.cluster().partitionOf(run.workload().keys().getFirst()).leader()
                            .filter(l -> !l.equals(leader)).isPresent());
            run.note("new leader elected while " + leader + " was cut off");
            run.awaitProgress(10, FAILOVER);
            run.cluster().heal();
            run.load(Duration.ofSeconds(6));
            run.finishAndCheck();
        }
    }

    @Test
    void pauseTheLeaderLongerThanItsSessionThenResumeIt() throws Exception {
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("pause-leader"))) {
            run.load(Duration.ofSeconds(4));
            String leader = run.leaderOfFirstKey();
            // SIGSTOP past the session timeout: ZooKeeper expires the session, the controller
            // elects another replica; when resumed, the old leader must neither serve a stale
            // STRONG read nor accept a write in its old epoch (the checkers see both).
            run.cluster().pause(leader);
            run.load(Duration.ofMillis(run.cluster().spec().sessionTimeout().toMillis() * 2 + 1_000));
            // Two clients go straight to the deposed leader from the moment it resumes (the
            // balancer would route around it): etcd #741's write foo, write bar, read foo.
            run.workload().startDirectClients(leader, 2);
            run.cluster().resume(leader);
            run.load(Duration.ofSeconds(8));
            run.awaitProgress(10, FAILOVER);
            run.finishAndCheck();
        }
    }

    @Test
    void controllerFailoverInTheMiddleOfAnElection() throws Exception {
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("controller-failover"))) {
            run.load(Duration.ofSeconds(4));
            String key = run.workload().keys().getFirst();
            PartitionRecord before = run.cluster().partitionOf(key);
            String leader = run.leaderOf(key);
            String follower = before.replicas().stream().filter(r -> !r.equals(leader)).findFirst().orElseThrow();
            String controller = run.cluster().activeController().orElseThrow();
            // Kill the leader and freeze one follower: the controller starts an election it cannot
            // finish (one live replica of three cannot be a fenced majority) ...
            run.cluster().kill(leader);
            run.cluster().pause(follower);
            Cluster.await("the election of partition " + before.partitionId() + " to begin", FAILOVER,
                    () -> run.cluster().partitionOf(key).state() != PartitionState.ONLINE);
            run.load(Duration.ofSeconds(1));
            PartitionRecord during = run.cluster().partitionOf(key);
            run.note("controller " + controller + " killed with partition " + during.partitionId() + " "
                    + during.state() + " at epoch " + during.leaderEpoch() + " (was ONLINE at " + before.leaderEpoch() + ")");
            // ... and dies in the middle of it; the standby takes over and must finish the election
            // safely once the follower is back.
            run.cluster().kill(controller);
            run.cluster().resume(follower);
            Cluster.await("another controller active", FAILOVER,
                    () -> run.cluster().activeController().filter(c -> !c.equals(controller)).isPresent());
            Cluster.await("partition " + before.partitionId() + " ONLINE again", FAILOVER,
                    () -> run.cluster().partitionOf(key).state() == PartitionState.ONLINE);
            run.awaitProgress(20, FAILOVER);
            run.cluster().start(controller);
            run.cluster().start(leader);
            run.load(Duration.ofSeconds(5));
            run.finishAndCheck();
        }
    }

    @Test
    void restartAZooKeeperServerThenLoseAndRestoreTheQuorum() throws Exception {
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("zookeeper"))) {
            run.load(Duration.ofSeconds(3));
            String zkLeader = List.of("zk1", "zk2", "zk3").stream()
                    .filter(h -> run.cluster().zkMode(h).filter("leader"::equals).isPresent()).findFirst().orElse("zk1");
            run.cluster().restartZooKeeper(zkLeader);
            run.cluster().awaitZooKeeperQuorum(FAILOVER);
            run.load(Duration.ofSeconds(5));
            run.cluster().loseZooKeeperQuorum();
            run.load(Duration.ofSeconds(8));
            run.cluster().restoreZooKeeperQuorum();
            run.cluster().awaitAllPartitionsOnline(FAILOVER);
            run.awaitProgress(20, FAILOVER);
            run.finishAndCheck();
        }
    }

    @Test
    void crashALeaderAndAFollowerWithFsyncAlways() throws Exception {
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("fsync-crash").fsyncPolicy("ALWAYS"))) {
            run.load(Duration.ofSeconds(4));
            String key = run.workload().keys().getFirst();
            PartitionRecord p = run.cluster().partitionOf(key);
            String leader = run.leaderOf(key);
            String follower = p.replicas().stream().filter(r -> !r.equals(leader)).findFirst().orElseThrow();
            // A majority of the partition's replicas crash at once: whatever they acknowledged must
            // be in their logs (fsync ALWAYS) and so survive; kill -9 loses everything unsynced.
            run.cluster().kill(leader);
            run.cluster().kill(follower);
            run.load(Duration.ofSeconds(3));
            run.cluster().start(leader);
            run.cluster().start(follower);
            run.cluster().awaitAllPartitionsOnline(FAILOVER);
            run.awaitProgress(20, FAILOVER);
            run.finishAndCheck();
        }
    }

    @Test
    void rollingRestartOfEveryNodeUnderLoad() throws Exception {
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("rolling-restart"))) {
            run.load(Duration.ofSeconds(3));
            for (String node : run.cluster().nodeHosts()) {
                run.cluster().restart(node, false);
                run.cluster().awaitHealthy(node, FAILOVER);
                run.cluster().awaitAllPartitionsOnline(FAILOVER);
                run.awaitProgress(5, FAILOVER);
            }
            run.load(Duration.ofSeconds(3));
            run.finishAndCheck();
        }
    }

    @Test
    void addANodeAndRebalanceUnderLoad() throws Exception {
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("add-node"))) {
            run.load(Duration.ofSeconds(3));
            String added = run.cluster().addNode();
            // The controller's planner moves replicas onto a new ACTIVE node (one member at a time,
            // as a learner first) until replica counts differ by at most one.
            Cluster.await("a partition replicated on " + added, Duration.ofSeconds(90), () ->
                    run.cluster().partitions().stream().anyMatch(p -> p.replicas().contains(added)
                            && p.state() == PartitionState.ONLINE));
            run.note("rebalanced onto " + added + ": " + run.cluster().partitions().stream()
                    .map(p -> p.partitionId() + "=" + p.replicas()).toList());
            run.load(Duration.ofSeconds(4));
            run.awaitProgress(10, FAILOVER);
            run.finishAndCheck();
        }
    }

    @Test
    void splitAPartitionUnderLoad() throws Exception {
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("split"))) {
            run.load(Duration.ofSeconds(3));
            PartitionRecord parent = run.cluster().partitionOf(run.workload().keys().getFirst());
            String controller = run.cluster().activeController().orElseThrow();
            URI split = run.cluster().controllerUri(controller)
                    .resolve("/admin/v1/partitions/" + Cluster.KEYSPACE + "/" + parent.partitionId() + "/split");
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(split)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("split: %s", r.body()).isEqualTo(202);
            run.note("split of partition " + parent.partitionId() + " requested from " + controller);
            Cluster.await("partition " + parent.partitionId() + " retired and its two halves ONLINE", FAILOVER, () -> {
                List<PartitionRecord> ps = run.cluster().partitions();
                boolean retired = ps.stream().anyMatch(p -> p.partitionId() == parent.partitionId()
                        && p.state() == PartitionState.RETIRED);
                return retired && ps.stream().filter(p -> p.state() != PartitionState.RETIRED).allMatch(p -> p.state() == PartitionState.ONLINE)
                        && ps.stream().filter(p -> p.state() != PartitionState.RETIRED).count() == run.cluster().spec().partitions() + 1;
            });
            run.load(Duration.ofSeconds(5));
            run.awaitProgress(10, FAILOVER);
            run.finishAndCheck();
        }
    }
}
