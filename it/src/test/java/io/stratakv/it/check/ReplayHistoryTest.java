package io.stratakv.it.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Checks a saved history given on the command line; skipped otherwise:
 * {@code mvn -pl it test -Dtest=ReplayHistoryTest -Dhistory=/path/to/history.jsonl}.
 */
class ReplayHistoryTest {

    @Test
    @EnabledIfSystemProperty(named = "history", matches = ".+")
    void savedHistoryPassesEveryChecker() {
        CheckHistory.Report report = CheckHistory.check(Path.of(System.getProperty("history")),
                LinearizabilityChecker.withDefaults());
        System.out.println(report);
        assertThat(report.linearizability().verdict()).as(report.toString()).isEqualTo(Verdict.VALID);
        assertThat(report.lostWrites().verdict()).as(report.toString()).isNotEqualTo(Verdict.INVALID);
    }
}
