package io.stratakv.node.replica;

import io.stratakv.node.replica.MemtableBudget.Sample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The memtable budget's rule ({@link MemtableBudget#choose}) on plain numbers, no engine. */
class MemtableBudgetPolicyTest {

    private static Sample<String> s(String name, long active, long immutable) {
        return new Sample<>(name, active, immutable, true);
    }

    @Test
    void unlimitedBudgetNeverFlushes() {
        assertThat(MemtableBudget.choose(0, List.of(s("a", 1L << 40, 1L << 40)))).isEmpty();
    }

    @Test
    void underTheBudgetNothingIsFlushed() {
        // active 80 of 100: below 7/8 (88); total 80 not over.
        assertThat(MemtableBudget.choose(100, List.of(s("a", 50, 0), s("b", 30, 0)))).isEmpty();
    }

    @Test
    void picksTheLargestActiveMemtableAndStopsOnceUnderBudget() {
        // active 90 > 88 (7/8 of 100): flushing "a" (50) leaves 40 active, under 7/8, and the total 90 is not over 100.
        assertThat(MemtableBudget.choose(100, List.of(s("c", 10, 0), s("a", 50, 0), s("b", 30, 0))))
                .containsExactly("a");
    }

    @Test
    void keepsPickingInSizeOrderUntilUnderBudget() {
        // 135 active of 100 (7/8 = 88): a (40) → 95, still over 88; b (35) → 60, under 88 but the total 135 is
        // over 100 and 60 is at least half; c (30) → 30, under half: done. d, e and the empty f stay.
        List<Sample<String>> samples = List.of(s("e", 5, 0), s("d", 25, 0), s("c", 30, 0), s("a", 40, 0), s("b", 35, 0),
                s("f", 0, 0));
        assertThat(MemtableBudget.choose(100, samples)).containsExactly("a", "b", "c");
    }

    @Test
    void memtablesAlreadyFlushingCountButAreNotSwitchedAgain() {
        // Total 130 > 100 but only 40 active (under half): the immutables' flushes will free enough.
        assertThat(MemtableBudget.choose(100, List.of(s("a", 40, 90)))).isEmpty();
        // Total 120 > 100 with 60 active (at least half): the largest active one goes.
        assertThat(MemtableBudget.choose(100, List.of(s("a", 20, 60), s("b", 40, 0)))).containsExactly("b");
    }

    @Test
    void aReplicaThatCannotSwitchIsSkippedForTheNextLargest() {
        List<Sample<String>> samples = List.of(new Sample<>("big", 70, 0, false), s("small", 25, 0));
        assertThat(MemtableBudget.choose(100, samples)).containsExactly("small");
    }

    @Test
    void randomSamplesEndUnderTheRuleOrOutOfCandidates() {
        Random rnd = new Random(42);
        for (int round = 0; round < 2000; round++) {
            long budget = 1 + rnd.nextInt(1000);
            List<Sample<Integer>> samples = new ArrayList<>();
            int n = rnd.nextInt(8);
            for (int i = 0; i < n; i++) {
                samples.add(new Sample<>(i, rnd.nextInt(600), rnd.nextInt(3) == 0 ? rnd.nextInt(600) : 0, rnd.nextInt(5) != 0));
            }
            List<Integer> chosen = MemtableBudget.choose(budget, samples);
            long active = 0;
            long total = 0;
            for (Sample<Integer> sm : samples) {
                total += sm.activeBytes() + sm.immutableBytes();
                active += chosen.contains(sm.owner()) ? 0 : sm.activeBytes();
            }
            long lastSize = Long.MAX_VALUE;
            for (Integer owner : chosen) {
                Sample<Integer> sm = samples.get(owner);
                assertThat(sm.switchable()).isTrue();
                assertThat(sm.activeBytes()).isPositive().isLessThanOrEqualTo(lastSize); // largest first
                lastSize = sm.activeBytes();
            }
            boolean candidatesLeft = samples.stream().anyMatch(sm -> sm.switchable() && sm.activeBytes() > 0
                    && !chosen.contains(sm.owner()));
            if (candidatesLeft) {
                assertThat(MemtableBudget.overBudget(budget, active, total)).as("round %d", round).isFalse();
            }
            if (!chosen.isEmpty()) {
                // The last pick was needed: without it the rule still said over.
                Sample<Integer> last = samples.get(chosen.getLast());
                assertThat(MemtableBudget.overBudget(budget, active + last.activeBytes(), total)).isTrue();
            }
        }
    }
}
