package io.stratakv.it.check;

import static io.stratakv.it.history.Histories.history;
import static org.assertj.core.api.Assertions.assertThat;

import io.stratakv.it.history.Consistency;
import io.stratakv.it.history.History;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Time flows down the page; the final read follows everything. */
class LostWriteCheckerTest {
    private final LostWriteChecker checker = new LostWriteChecker();

    private static Map<String, Optional<String>> finalValue(String key, String value) {
        return Map.of(key, Optional.ofNullable(value));
    }

    @Test
    void lastWriteIsTheFinalValue() {
        History h = history().write(1, "x", "a").ok(1).build();
        LostWriteChecker.Result r = checker.check(h, finalValue("x", "a"));
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.acknowledged()).isEqualTo(1);
    }

    @Test
    void writeOverwrittenByALaterWriteIsNotLost() {
        History h = history().write(1, "x", "a").ok(1).write(2, "x", "b").ok(2).build();
        assertThat(checker.check(h, finalValue("x", "b")).isValid()).isTrue();
    }

    @Test
    void ofTwoConcurrentWritesEitherMayWin() {
        History h = history().write(1, "x", "a").write(2, "x", "b").ok(1).ok(2).build();
        assertThat(checker.check(h, finalValue("x", "a")).isValid()).isTrue();
        assertThat(checker.check(h, finalValue("x", "b")).isValid()).isTrue();
    }

    @Test
    void writeOverwrittenByATimedOutWriteIsNotLost() {
        History h = history().write(1, "x", "a").ok(1).write(2, "x", "b").info(2).build();
        assertThat(checker.check(h, finalValue("x", "b")).isValid()).isTrue();
    }

    @Test
    void writeOverwrittenByACasIsNotLost() {
        History h = history().write(1, "x", "a").ok(1).cas(2, "x", "a", "b").ok(2).build();
        assertThat(checker.check(h, finalValue("x", "b")).isValid()).isTrue();
    }

    @Test
    void lostWhenTheKeyEndsWithAValueWrittenBeforeTheAcknowledgedWrite() {
        // A stale replica promoted after the newer one was isolated (elastic/elasticsearch#14671).
        History h = history().write(1, "x", "a").ok(1).write(2, "x", "b").ok(2).build();
        LostWriteChecker.Result r = checker.check(h, finalValue("x", "a"));
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.lost()).singleElement().satisfies(l -> {
            assertThat(l.write().value()).isEqualTo("b");
            assertThat(l.reason()).contains("written only before it was invoked");
        });
    }

    @Test
    void lostWhenTheKeyEndsAbsent() {
        History h = history().write(1, "x", "a").ok(1).build();
        LostWriteChecker.Result r = checker.check(h, finalValue("x", null));
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.lost().get(0).reason()).contains("absent");
    }

    @Test
    void deleteThatMayFollowExplainsAnAbsentKey() {
        History h = history().write(1, "x", "a").ok(1).write(2, "x", null).ok(2).build();
        assertThat(checker.check(h, finalValue("x", null)).isValid()).isTrue();
    }

    @Test
    void lostWhenTheKeyEndsWithAValueNeverWritten() {
        History h = history().write(1, "x", "a").ok(1).build();
        LostWriteChecker.Result r = checker.check(h, finalValue("x", "ghost"));
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.lost().get(0).reason()).contains("no write wrote");
    }

    @Test
    void failedWriteCannotHaveOverwrittenIt() {
        History h = history().write(1, "x", "a").write(2, "x", "b").ok(1).fail(2).build();
        assertThat(checker.check(h, finalValue("x", "b")).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void acknowledgedWriteAtOneMayBeLostButMayAlsoOverwrite() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(1, "x", "b", Consistency.ONE).ok(1)
                .build();
        LostWriteChecker.Result lostOne = checker.check(h, finalValue("x", "a"));
        assertThat(lostOne.isValid()).isTrue();
        assertThat(lostOne.acknowledged()).isEqualTo(1);
        assertThat(checker.check(h, finalValue("x", "b")).isValid()).isTrue();
    }

    @Test
    void onlyTheWritesTheFinalValueUndoesAreLost() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(1, "x", "b").ok(1)
                .write(1, "x", "c").ok(1)
                .build();
        LostWriteChecker.Result r = checker.check(h, finalValue("x", "a"));
        assertThat(r.lost()).extracting(l -> l.write().value()).containsExactly("b", "c");
    }

    @Test
    void keyWithoutFinalReadIsUnknown() {
        History h = history().write(1, "x", "a").ok(1).write(1, "y", "b").ok(1).build();
        LostWriteChecker.Result r = checker.check(h, finalValue("x", "a"));
        assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(r.unreadKeys()).containsExactly("y");
    }

    @Test
    void finalReadsAreTheLastStrongReadsAfterEveryCompletedWrite() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .read(2, "x")                  // concurrent with the write of b: not final
                .write(1, "x", "b").ok(1)
                .ok(2, "a")
                .write(3, "x", "c").info(3)    // unknown writes do not hold the final read back
                .write(1, "y", "d").ok(1)
                .read(2, "x").ok(2, "b")
                .read(2, "y").ok(2, "d")
                .build();
        assertThat(LostWriteChecker.finalReads(h)).containsExactly(
                Map.entry("x", Optional.of("b")), Map.entry("y", Optional.of("d")));
        assertThat(checker.check(h, LostWriteChecker.finalReads(h)).isValid()).isTrue();
    }
}
