package io.stratakv.it.scenario;

import io.stratakv.it.harness.ClusterSpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** kill -9 the leader of a partition under load; the controller elects another replica. */
@Tag("scenario")
class KillLeaderScenarioTest {

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void killTheLeaderOfAPartitionUnderLoad() throws Exception {
        try (ScenarioRun run = ScenarioRun.start(ClusterSpec.named("kill-leader"))) {
            run.load(Duration.ofSeconds(5));
            String leader = run.leaderOfFirstKey();
            run.cluster().kill(leader);
            run.load(Duration.ofSeconds(12));
            run.cluster().start(leader);
            run.load(Duration.ofSeconds(5));
            run.finishAndCheck();
        }
    }
}
