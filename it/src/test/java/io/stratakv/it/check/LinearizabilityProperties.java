package io.stratakv.it.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratakv.it.history.Consistency;
import io.stratakv.it.history.History;
import io.stratakv.it.history.HistoryRecorder;
import io.stratakv.it.history.Op;
import io.stratakv.it.history.OpFunction;
import io.stratakv.it.history.OpType;
import io.stratakv.it.history.Operation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class LinearizabilityProperties {
    private final LinearizabilityChecker checker = LinearizabilityChecker.withDefaults();

    @Property
    void historiesOfAnAtomicRegisterAreLinearizable(
            @ForAll @Size(min = 1, max = 400) List<@IntRange(min = 0, max = 9_999) Integer> choices) {
        History h = AtomicRegisterSimulation.run(choices);
        LinearizabilityResult r = checker.check(h);
        assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.VALID);
    }

    @Property
    void aStaleReadInjectedIntoAnAtomicRegisterHistoryIsDetected(
            @ForAll @Size(min = 40, max = 400) List<@IntRange(min = 0, max = 9_999) Integer> choices) {
        History h = AtomicRegisterSimulation.run(choices);
        Optional<History> stale = injectStaleRead(h);
        Assume.that(stale.isPresent());
        LinearizabilityResult r = checker.check(stale.get());
        assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.INVALID);
    }

    /**
     * On small histories with repeated values and every outcome, the search agrees with trying
     * every order outright. This covers the INFO handling and the pruning of unobserved INFO writes.
     */
    @Property(tries = 2_000)
    void agreesWithBruteForceOnSmallHistories(@ForAll("smallHistories") History h) {
        boolean expected = BruteForce.linearizable(h.operations());
        assertThat(checker.check(h).isValid()).as("%s", h.operations()).isEqualTo(expected);
    }

    /**
     * The last OK read that some completed write precedes is changed to return a value that was
     * already overwritten before the read began: the value of a write that precedes that write,
     * or absent. Values in the simulation are unique and never absent, so this is always stale.
     */
    static Optional<History> injectStaleRead(History h) {
        List<Operation> ops = h.operations();
        for (int i = ops.size() - 1; i >= 0; i--) {
            Operation read = ops.get(i);
            if (read.function() != OpFunction.READ || !read.isOk()) continue;
            Operation overwriter = null;
            for (Operation w : ops) {
                if (w.function().isWrite() && w.isOk() && w.key().equals(read.key()) && w.precedes(read)) {
                    overwriter = w;
                    break;
                }
            }
            if (overwriter == null) continue;
            String staleValue = null;
            for (Operation w : ops) {
                if (w.function().isWrite() && w.isOk() && w.key().equals(read.key()) && w.precedes(overwriter)) {
                    staleValue = w.value();
                }
            }
            return Optional.of(replaceReadResult(h, read, staleValue));
        }
        return Optional.empty();
    }

    private static History replaceReadResult(History h, Operation read, String value) {
        List<Op> events = new ArrayList<>(h.events());
        for (int i = (int) read.invokeIndex() + 1; i < events.size(); i++) {
            Op e = events.get(i);
            if (e.process() == read.process()) {
                events.set(i, new Op(e.index(), e.process(), e.type(), e.function(), e.key(), value, null,
                        e.consistency(), e.nanos(), e.error()));
                return new History(events);
            }
        }
        throw new AssertionError("no completion for " + read);
    }

    /**
     * Four clients on two keys of one atomic register map. Each choice picks a client and moves it
     * one step: invoke an operation, apply it atomically (its linearization point), or record its
     * completion. Some operations time out (INFO) before or after they were applied; a CAS whose
     * expected value is not there fails. So every history produced is linearizable by construction.
     */
    static final class AtomicRegisterSimulation {
        private static final int CLIENTS = 4;
        private static final int KEYS = 2;

        private enum Phase { IDLE, INVOKED, APPLIED }

        static History run(List<Integer> choices) {
            long[] tick = {0};
            HistoryRecorder rec = new HistoryRecorder(() -> tick[0]++);
            Map<String, String> register = new HashMap<>();
            Phase[] phase = new Phase[CLIENTS];
            java.util.Arrays.fill(phase, Phase.IDLE);
            Op[] inFlight = new Op[CLIENTS];
            String[] result = new String[CLIENTS];
            boolean[] casMatched = new boolean[CLIENTS];
            int counter = 0;
            for (int c : choices) {
                int p = c % CLIENTS;
                int r = c / CLIENTS;
                switch (phase[p]) {
                    case IDLE -> {
                        String key = "k" + (r % KEYS);
                        String value = "v" + counter++;
                        inFlight[p] = switch ((r / KEYS) % 3) {
                            case 0 -> rec.invokeRead(p, key, Consistency.STRONG);
                            case 1 -> rec.invokeWrite(p, key, value, Consistency.QUORUM);
                            default -> rec.invokeCas(p, key,
                                    (r / 6) % 2 == 0 ? register.get(key) : "v" + (counter - 3), value, Consistency.QUORUM);
                        };
                        phase[p] = Phase.INVOKED;
                    }
                    case INVOKED -> {
                        if (r % 11 == 0) {             // timed out before it reached the register
                            rec.info(inFlight[p], "timeout");
                            phase[p] = Phase.IDLE;
                            break;
                        }
                        Op inv = inFlight[p];
                        switch (inv.function()) {
                            case READ -> result[p] = register.get(inv.key());
                            case WRITE -> register.put(inv.key(), inv.value());
                            case CAS -> {
                                casMatched[p] = Objects.equals(register.get(inv.key()), inv.expected());
                                if (casMatched[p]) register.put(inv.key(), inv.value());
                            }
                        }
                        phase[p] = Phase.APPLIED;
                    }
                    case APPLIED -> {
                        Op inv = inFlight[p];
                        if (r % 9 == 0) rec.info(inv, "timeout");
                        else if (inv.function() == OpFunction.READ) rec.okRead(inv, result[p]);
                        else if (inv.function() == OpFunction.CAS && !casMatched[p]) rec.fail(inv, "precondition");
                        else rec.ok(inv);
                        phase[p] = Phase.IDLE;
                    }
                }
            }
            return rec.history(); // operations still in flight are INFO
        }
    }

    @Provide
    Arbitrary<History> smallHistories() {
        Arbitrary<String> value = Arbitraries.of("a", "b", "c");
        Arbitrary<String> valueOrAbsent = Arbitraries.of("a", "b", "c", "ABSENT").map(v -> v.equals("ABSENT") ? null : v);
        Arbitrary<OpSpec> spec = Combinators.combine(
                Arbitraries.integers().between(0, 12),
                Arbitraries.integers().between(0, 6),
                Arbitraries.of(OpFunction.class),
                value,
                valueOrAbsent,
                Arbitraries.of(OpType.OK, OpType.OK, OpType.OK, OpType.INFO, OpType.FAIL))
                .as(OpSpec::new);
        return spec.list().ofMinSize(1).ofMaxSize(7).map(LinearizabilityProperties::build);
    }

    record OpSpec(int start, int length, OpFunction function, String value, String other, OpType outcome) {}

    /** Each operation its own process, so any overlap is possible; equal times are allowed. */
    private static History build(List<OpSpec> specs) {
        record Event(long time, boolean invoke, int process, Op op) {}
        List<Event> events = new ArrayList<>();
        for (int p = 0; p < specs.size(); p++) {
            OpSpec s = specs.get(p);
            Op inv = switch (s.function()) {
                case READ -> Op.invoke(p, OpFunction.READ, "x", null, null, Consistency.STRONG);
                case WRITE -> Op.invoke(p, OpFunction.WRITE, "x", s.value(), null, Consistency.QUORUM);
                case CAS -> Op.invoke(p, OpFunction.CAS, "x", s.value(), s.other(), Consistency.QUORUM);
            };
            events.add(new Event(s.start(), true, p, inv));
            events.add(new Event(s.start() + s.length(), false, p, inv.complete(s.outcome(), s.other(), null)));
        }
        events.sort(Comparator.comparingLong(Event::time).thenComparing(e -> !e.invoke()));
        List<Op> ops = new ArrayList<>();
        for (Event e : events) {
            Op o = e.op();
            ops.add(new Op(ops.size(), o.process(), o.type(), o.function(), o.key(), o.value(), o.expected(),
                    o.consistency(), e.time(), o.error()));
        }
        return new History(ops);
    }

    /** Tries every order of the operations that respects real time; exponential, for tiny histories. */
    static final class BruteForce {
        static boolean linearizable(List<Operation> all) {
            List<Operation> ops = new ArrayList<>();
            for (Operation o : all) {
                if (o.isFail() || (o.isInfo() && o.function() == OpFunction.READ)) continue;
                ops.add(o);
            }
            return search(ops, new boolean[ops.size()], null);
        }

        private static boolean search(List<Operation> ops, boolean[] placed, String state) {
            boolean allOkPlaced = true;
            for (int i = 0; i < ops.size(); i++) {
                if (!placed[i] && ops.get(i).isOk()) allOkPlaced = false;
            }
            if (allOkPlaced) return true;
            for (int i = 0; i < ops.size(); i++) {
                if (placed[i]) continue;
                Operation c = ops.get(i);
                boolean mayGoNext = true;
                for (int j = 0; j < ops.size(); j++) {
                    if (j != i && !placed[j] && ops.get(j).precedes(c)) mayGoNext = false;
                }
                if (!mayGoNext || !RegisterModel.accepts(state, c)) continue;
                placed[i] = true;
                boolean found = search(ops, placed, RegisterModel.next(state, c));
                placed[i] = false;
                if (found) return true;
            }
            return false;
        }
    }
}
