package io.stratakv.it.scenario;

import io.stratakv.it.harness.Cluster;
import io.stratakv.it.harness.ClusterSpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A long run with a random fault schedule, off unless {@code -Dsoak=true}:
 * <pre>
 * ops/bin/strata test -pl it -am -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsoak=true -Dsoak.minutes=30 -Dsoak.seed=42
 * </pre>
 * The seed (printed first; {@code soak.seed} replays it) decides the faults, their targets and
 * their durations, and the clients' operations; timing on a busy machine still varies between
 * runs. Every fault is healed before the next one, and the cluster must then make progress again.
 * At the end the same checkers as the scenarios judge the whole history.
 */
@Tag("soak")
@EnabledIfSystemProperty(named = "soak", matches = "true")
class SoakTest {
    private static final Duration RECOVERY = Duration.ofSeconds(90);

    private enum Fault { KILL_NODE, KILL_LEADER, PAUSE_PAST_SESSION, ISOLATE_NODE, PARTITION_HALVES, LOSSY_LINK,
        RESTART_ZOOKEEPER, LOSE_ZOOKEEPER_QUORUM, KILL_CONTROLLER, CRASH_MAJORITY, REPLACE_DISK }

    @Test
    void randomFaultsFromASeed() throws Exception {
        long seed = Long.getLong("soak.seed", System.currentTimeMillis());
        long minutes = Long.getLong("soak.minutes", 10);
        System.out.println("[soak] seed " + seed + " for " + minutes + " min (replay: -Dsoak.seed=" + seed + ")");
        Random random = new Random(seed);
        long end = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("soak").nodes(4), seed)) {
            Cluster c = run.cluster();
            List<Fault> faults = new ArrayList<>(List.of(Fault.values()));
            if (!c.hasNetwork()) faults.removeAll(List.of(Fault.ISOLATE_NODE, Fault.PARTITION_HALVES, Fault.LOSSY_LINK));
            int n = 0;
            while (System.nanoTime() < end) {
                Fault f = faults.get(random.nextInt(faults.size()));
                List<String> nodes = c.nodeHosts();
                String node = nodes.get(random.nextInt(nodes.size()));
                long holdMs = 2_000 + random.nextInt(10_000);
                run.note("fault " + (++n) + ": " + f + " (target " + node + ", hold " + holdMs + " ms)");
                switch (f) {
                    case KILL_NODE -> {
                        c.kill(node);
                        Thread.sleep(holdMs);
                        c.start(node);
                    }
                    case KILL_LEADER -> {
                        String leader = run.leaderOf(run.workload().keys().get(random.nextInt(run.workload().keys().size())));
                        c.kill(leader);
                        Thread.sleep(holdMs);
                        c.start(leader);
                    }
                    case PAUSE_PAST_SESSION -> c.expireSession(node);
                    case ISOLATE_NODE -> {
                        c.isolate(node);
                        Thread.sleep(holdMs);
                        c.heal();
                    }
                    case PARTITION_HALVES -> {
                        List<String> hosts = new ArrayList<>(c.hosts());
                        java.util.Collections.shuffle(hosts, random);
                        int cut = 1 + random.nextInt(hosts.size() - 1);
                        c.partition(hosts.subList(0, cut), hosts.subList(cut, hosts.size()));
                        Thread.sleep(holdMs);
                        c.heal();
                    }
                    case LOSSY_LINK -> {
                        c.slow(node, c.canDelay() ? random.nextInt(200) : 0, 5 + random.nextInt(30));
                        Thread.sleep(holdMs);
                        c.heal();
                    }
                    case RESTART_ZOOKEEPER -> c.restartZooKeeper("zk" + (1 + random.nextInt(3)));
                    case LOSE_ZOOKEEPER_QUORUM -> {
                        c.loseZooKeeperQuorum();
                        Thread.sleep(holdMs);
                        c.restoreZooKeeperQuorum();
                    }
                    case KILL_CONTROLLER -> {
                        String ctl = c.activeController().orElse("ctl1");
                        c.kill(ctl);
                        Thread.sleep(holdMs);
                        c.start(ctl);
                    }
                    case CRASH_MAJORITY -> {
                        List<String> victims = new ArrayList<>(nodes);
                        java.util.Collections.shuffle(victims, random);
                        victims = victims.subList(0, nodes.size() / 2 + 1);
                        victims.forEach(c::kill);
                        Thread.sleep(holdMs);
                        victims.forEach(c::start);
                    }
                    case REPLACE_DISK -> c.replaceWithEmptyDisk(node);
                }
                c.awaitZooKeeperQuorum(RECOVERY);
                c.awaitAllPartitionsOnline(RECOVERY);
                run.awaitProgress(10, RECOVERY);
                run.load(Duration.ofMillis(1_000 + random.nextInt(5_000)));
            }
            run.finishAndCheck();
        }
    }
}
