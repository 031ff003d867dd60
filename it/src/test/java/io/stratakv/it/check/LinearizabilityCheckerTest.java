package io.stratakv.it.check;

import static io.stratakv.it.history.Histories.history;
import static org.assertj.core.api.Assertions.assertThat;

import io.stratakv.it.history.Consistency;
import io.stratakv.it.history.History;
import io.stratakv.it.history.OpFunction;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Hand-written histories, each named after the behaviour it pins. Time flows down the page. */
class LinearizabilityCheckerTest {
    private final LinearizabilityChecker checker = LinearizabilityChecker.withDefaults();

    private LinearizabilityResult check(History h) {
        return checker.check(h);
    }

    @Test
    void emptyHistoryIsLinearizable() {
        assertThat(check(history().build()).verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void readOfANeverWrittenKeyIsAbsent() {
        assertThat(check(history().read(1, "x").ok(1, null).build()).isValid()).isTrue();
    }

    @Test
    void sequentialWritesAndReads() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .read(2, "x").ok(2, "a")
                .write(2, "x", "b").ok(2)
                .read(1, "x").ok(1, "b")
                .build();
        assertThat(check(h).isValid()).isTrue();
    }

    @Test
    void staleReadAfterANewerWriteCompleted() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(1, "x", "b").ok(1)
                .read(2, "x").ok(2, "a")
                .build();
        LinearizabilityResult r = check(h);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        LinearizabilityResult.KeyFailure f = r.failures().get(0);
        assertThat(f.key()).isEqualTo("x");
        assertThat(f.prefix()).extracting(o -> o.value()).containsExactly("a", "b");
        assertThat(f.state()).isEqualTo("b");
        assertThat(f.blocked().function()).isEqualTo(OpFunction.READ);
        assertThat(f.blocked().value()).isEqualTo("a");
        assertThat(f.explanation()).contains("key x", "READ x -> \"a\"", "leaving the value \"b\"");
    }

    @Test
    void readOfAbsentAfterAWriteCompleted() {
        History h = history().write(1, "x", "a").ok(1).read(2, "x").ok(2, null).build();
        assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void readConcurrentWithAWriteMaySeeEitherValue() {
        for (String seen : new String[] {"a", "b"}) {
            History h = history()
                    .write(1, "x", "a").ok(1)
                    .write(1, "x", "b")
                    .read(2, "x").ok(2, seen)
                    .ok(1)
                    .build();
            assertThat(check(h).isValid()).as("read saw %s", seen).isTrue();
        }
    }

    @Test
    void readSawTheNewValueThenALaterReadSawTheOldOne() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(1, "x", "b")               // in flight throughout
                .read(2, "x").ok(2, "b")
                .read(3, "x").ok(3, "a")
                .ok(1)
                .build();
        assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void writeThatTookEffectAfterALaterReadReturnedTheOldValue() {
        // etcd #741: write foo, write bar, read foo, from a leader serving reads from local state.
        History h = history()
                .write(1, "x", "foo").ok(1)
                .write(1, "x", "bar").ok(1)
                .read(1, "x").ok(1, "foo")
                .build();
        assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void lostUpdateFromConcurrentCasBothSucceeding() {
        History h = history()
                .write(1, "x", "0").ok(1)
                .cas(2, "x", "0", "1")
                .cas(3, "x", "0", "2")
                .ok(2)
                .ok(3)
                .build();
        LinearizabilityResult r = check(h);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.failures().get(0).blocked().function()).isEqualTo(OpFunction.CAS);
    }

    @Test
    void concurrentCasOneSucceedingOneFailingIsFine() {
        History h = history()
                .write(1, "x", "0").ok(1)
                .cas(2, "x", "0", "1")
                .cas(3, "x", "0", "2")
                .ok(2)
                .fail(3)
                .read(1, "x").ok(1, "1")
                .build();
        assertThat(check(h).isValid()).isTrue();
    }

    @Test
    void casFromAbsent() {
        History ok = history().cas(1, "x", null, "a").ok(1).read(2, "x").ok(2, "a").build();
        History bad = history().write(1, "x", "z").ok(1).cas(1, "x", null, "a").ok(1).build();
        assertThat(check(ok).isValid()).isTrue();
        assertThat(check(bad).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void readOfAValueNeverWritten() {
        History h = history().write(1, "x", "a").ok(1).read(2, "x").ok(2, "ghost").build();
        assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void infoWriteMayHaveHappened() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(2, "x", "b").info(2)
                .read(3, "x").ok(3, "b")
                .build();
        assertThat(check(h).isValid()).isTrue();
    }

    @Test
    void infoWriteMayNotHaveHappened() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(2, "x", "b").info(2)
                .read(3, "x").ok(3, "a")
                .build();
        assertThat(check(h).isValid()).isTrue();
    }

    @Test
    void infoWriteMayTakeEffectLongAfterItsTimeout() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(2, "x", "b").info(2)
                .read(3, "x").ok(3, "a")
                .read(3, "x").ok(3, "a")
                .read(3, "x").ok(3, "b")
                .build();
        assertThat(check(h).isValid()).isTrue();
    }

    @Test
    void infoWriteTakesEffectAtMostOnce() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(2, "x", "b").info(2)
                .read(3, "x").ok(3, "b")
                .write(1, "x", "c").ok(1)
                .read(3, "x").ok(3, "c")
                .read(3, "x").ok(3, "b")
                .build();
        assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void infoWriteCannotTakeEffectBeforeItWasInvoked() {
        History h = history()
                .read(3, "x").ok(3, "b")
                .write(2, "x", "b").info(2)
                .build();
        assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void infoCasMustHaveMatchedIfItHappened() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .cas(2, "x", "z", "b").info(2)   // "z" was never there, so "b" can never appear
                .read(3, "x").ok(3, "b")
                .build();
        assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void failedWriteMustNotHaveHappened() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(2, "x", "b").fail(2)
                .read(3, "x").ok(3, "b")
                .build();
        assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void failedCasMustNotHaveHappened() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .cas(2, "x", "a", "b").fail(2)
                .read(3, "x").ok(3, "b")
                .build();
        assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void timedOutReadConstrainsNothing() {
        History h = history().write(1, "x", "a").ok(1).read(2, "x").info(2).build();
        assertThat(check(h).isValid()).isTrue();
        assertThat(check(h).operationsChecked()).isEqualTo(1);
    }

    @Test
    void acknowledgedWriteAtOneMayBeLost() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(1, "x", "b", Consistency.ONE).ok(1)
                .read(2, "x").ok(2, "a")
                .build();
        assertThat(check(h).isValid()).isTrue();
    }

    @Test
    void keysAreCheckedIndependentlyAndOnlyTheBadOneIsReported() {
        History h = history()
                .write(1, "x", "a").ok(1)
                .write(1, "y", "a").ok(1)
                .write(2, "y", "b").ok(2)
                .read(3, "x").ok(3, "a")
                .read(3, "y").ok(3, "a")
                .build();
        LinearizabilityResult r = check(h);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.keys()).isEqualTo(2);
        assertThat(r.failures()).extracting(LinearizabilityResult.KeyFailure::key).containsExactly("y");
    }

    @Test
    void outOfBudgetIsUnknownNotAnAnswer() {
        var b = history();
        for (int p = 0; p < 6; p++) b.write(p, "x", "v" + p);
        for (int p = 0; p < 6; p++) b.ok(p);
        b.read(9, "x").ok(9, "v0");
        LinearizabilityResult r = new LinearizabilityChecker(3, Duration.ofMinutes(1)).check(b.build());
        assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(r.unknownKeys()).containsExactly("x");
        assertThat(checker.check(b.build()).isValid()).isTrue();
    }
}
