package io.stratakv.it.check;

import io.stratakv.it.history.History;
import io.stratakv.it.history.OpType;
import io.stratakv.it.history.Operation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks that a history is linearizable as a set of independent registers, one per key, each
 * with read, write and compare-and-set, initially absent.
 *
 * <h2>What takes part</h2>
 * <ul>
 *   <li>{@code OK} operations took effect between their invoke and completion, and must be placed.
 *   <li>{@code FAIL} operations did not take effect: left out. A CAS rejected on its precondition
 *       is recorded as {@code FAIL}, so the fact that the value differed is not used (as Knossos).
 *   <li>{@code INFO} writes and CAS may take effect at any instant after their invoke, or never:
 *       they return at +∞ and the search may leave them out. An {@code INFO} read constrains
 *       nothing and is dropped. So is an {@code INFO} write or CAS whose value no read returned
 *       and no CAS expected: if a linearization places it, the next operation to touch the
 *       register must be a write (nothing can observe its value), so removing it leaves a valid
 *       linearization. This keeps the search small when many writes time out.
 *   <li>Reads below {@code STRONG} promise nothing linearizable and are dropped. Writes below
 *       {@code QUORUM} ({@code ONE}) may be lost, so an acknowledged one is treated as {@code INFO}.
 * </ul>
 *
 * <h2>Algorithm</h2>
 * Linearizability is compositional over objects (Herlihy &amp; Wing 1990), so each key's
 * sub-history is checked alone, as Porcupine does after Horn &amp; Kroening, "Faster
 * linearizability checking via P-compositionality" (FORTE 2015). For one key this is the
 * Wing–Gong search (JPDC 1993) with Lowe's memoization ("Testing for linearizability", CCPE 2017):
 * <ul>
 *   <li>Every operation becomes a call entry at its invoke time and a return entry at its
 *       completion time, in one doubly linked list sorted by time; on equal times calls come
 *       first, which treats the two operations as concurrent (the lenient reading).
 *   <li>Walk from the head. At a call entry, try to linearize its operation now: if the model
 *       accepts it, and the pair (set of linearized operations as a bitset, resulting state) has
 *       not been seen before, push (entry, previous state) on a stack, set the bit, <em>lift</em>
 *       the call and its return out of the list, and restart from the head. Otherwise move on to
 *       the next entry.
 *   <li>At a return entry, its operation had to be linearized before now and was not: pop the
 *       last choice, <em>unlift</em> it (both entries go back where they were, in O(1), because a
 *       lifted entry keeps its neighbours), restore the state and try the entry after it. An empty
 *       stack means there is no linearization.
 *   <li>The history is linearizable when the list is empty, or when the next return entry is an
 *       {@code INFO} one: those sort after every finite time, so every operation that completed
 *       has been placed, and the unknown ones left may all be taken as never having happened.
 * </ul>
 * The cache is what makes this fast: two search paths that linearized the same operations and
 * reached the same value have the same future, so only the first is explored. The number of
 * states is then bounded by the operations that can be open at once, not by the history's length.
 *
 * <h2>Budget</h2>
 * Each attempt to linearize an operation is a step. A key whose search exceeds
 * {@code maxStepsPerKey}, or a check that exceeds {@code timeout}, stops with {@code UNKNOWN}
 * instead of running for ever; the keys not yet checked are reported unknown too.
 *
 * <p>Not thread-safe per call; an instance holds only its limits and may be shared.
 */
public final class LinearizabilityChecker {
    /** Enough for tens of thousands of operations per key at realistic concurrency. */
    public static final long DEFAULT_MAX_STEPS_PER_KEY = 20_000_000;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private final long maxStepsPerKey;
    private final Duration timeout;

    public LinearizabilityChecker(long maxStepsPerKey, Duration timeout) {
        if (maxStepsPerKey <= 0) throw new IllegalArgumentException("maxStepsPerKey must be positive");
        this.maxStepsPerKey = maxStepsPerKey;
        this.timeout = Objects.requireNonNull(timeout);
    }

    public static LinearizabilityChecker withDefaults() {
        return new LinearizabilityChecker(DEFAULT_MAX_STEPS_PER_KEY, DEFAULT_TIMEOUT);
    }

    public LinearizabilityResult check(History history) {
        return check(history.operations());
    }

    public LinearizabilityResult check(List<Operation> operations) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        for (Operation o : operations) {
            byKey.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(o);
        }
        List<LinearizabilityResult.KeyFailure> failures = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        int checked = 0;
        long steps = 0;
        for (Map.Entry<String, List<Operation>> e : byKey.entrySet()) {
            if (System.nanoTime() > deadline) {
                unknown.add(e.getKey());
                continue;
            }
            List<Operation> ops = relevant(e.getValue());
            checked += ops.size();
            KeySearch search = new KeySearch(e.getKey(), ops, maxStepsPerKey, deadline);
            search.run();
            steps += search.steps;
            switch (search.verdict) {
                case VALID -> { }
                case INVALID -> failures.add(search.failure());
                case UNKNOWN -> unknown.add(e.getKey());
            }
        }
        Verdict verdict = !failures.isEmpty() ? Verdict.INVALID : !unknown.isEmpty() ? Verdict.UNKNOWN : Verdict.VALID;
        return new LinearizabilityResult(verdict, failures, unknown, byKey.size(), checked, steps,
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** The operations of one key that constrain a linearization; see the class comment. */
    static List<Operation> relevant(List<Operation> ops) {
        List<Operation> kept = new ArrayList<>();
        for (Operation o : ops) {
            if (o.isFail()) continue;
            if (o.function().isWrite()) {
                kept.add(o.consistency().isDurableWrite() || !o.isOk() ? o : asUnknown(o));
            } else if (o.isOk() && o.consistency().isLinearizable()) {
                kept.add(o);
            }
        }
        Set<String> observed = new HashSet<>();
        for (Operation o : kept) {
            switch (o.function()) {
                case READ -> observed.add(o.value());
                case CAS -> observed.add(o.expected());
                case WRITE -> { }
            }
        }
        kept.removeIf(o -> o.isInfo() && !observed.contains(o.value()));
        return kept;
    }

    private static Operation asUnknown(Operation o) {
        return new Operation(o.invokeIndex(), o.process(), o.function(), o.key(), o.value(), o.expected(),
                o.consistency(), OpType.INFO, o.invokeNanos(), Operation.NEVER,
                "acknowledged at " + o.consistency() + ", which may be lost");
    }

    /** A call or return of one operation, in the doubly linked list the search lifts entries out of. */
    private static final class Entry {
        final int id;
        final Operation op;
        final boolean isCall;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int id, Operation op, boolean isCall, long time) {
            this.id = id;
            this.op = op;
            this.isCall = isCall;
            this.time = time;
        }
    }

    /** A memoized search state: which operations are linearized, and the register's value. */
    private static final class CacheKey {
        final long[] linearized;
        final String state;
        final int hash;

        CacheKey(long[] linearized, String state) {
            this.linearized = linearized;
            this.state = state;
            this.hash = 31 * Arrays.hashCode(linearized) + Objects.hashCode(state);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CacheKey k && hash == k.hash && Objects.equals(state, k.state)
                    && Arrays.equals(linearized, k.linearized);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private record Choice(Entry call, String stateBefore) {}

    /** The search over one key's operations. */
    private static final class KeySearch {
        /** How often the wall clock is read, in steps; reading it every step would cost more than the step. */
        private static final int DEADLINE_CHECK_INTERVAL = 4096;

        final String key;
        final List<Operation> ops;
        final long maxSteps;
        final long deadline;
        final Entry head = new Entry(-1, null, false, Long.MIN_VALUE);

        Verdict verdict;
        long steps;
        // The deepest failure seen, for the report.
        int bestDepth = -1;
        List<Operation> bestPrefix = List.of();
        String bestState;
        Entry bestBlocked;
        List<Operation> bestConcurrent = List.of();

        KeySearch(String key, List<Operation> ops, long maxSteps, long deadline) {
            this.key = key;
            this.ops = ops;
            this.maxSteps = maxSteps;
            this.deadline = deadline;
            List<Entry> entries = new ArrayList<>(2 * ops.size());
            for (int i = 0; i < ops.size(); i++) {
                Operation o = ops.get(i);
                Entry call = new Entry(i, o, true, o.invokeNanos());
                Entry ret = new Entry(i, o, false, o.completeNanos());
                call.match = ret;
                entries.add(call);
                entries.add(ret);
            }
            entries.sort(Comparator.comparingLong((Entry x) -> x.time)
                    .thenComparing(x -> !x.isCall)
                    .thenComparingInt(x -> x.id));
            Entry prev = head;
            for (Entry x : entries) {
                prev.next = x;
                x.prev = prev;
                prev = x;
            }
        }

        void run() {
            long[] linearized = new long[(ops.size() + 63) / 64];
            Set<CacheKey> cache = new HashSet<>();
            Deque<Choice> stack = new ArrayDeque<>();
            String state = RegisterModel.INITIAL;
            Entry entry = head.next;
            while (entry != null) {
                if (!entry.isCall) {
                    if (entry.op.isInfo()) break; // every completed operation is placed
                    noteFailure(stack, state, entry);
                    if (stack.isEmpty()) {
                        verdict = Verdict.INVALID;
                        return;
                    }
                    Choice c = stack.pop();
                    state = c.stateBefore;
                    clear(linearized, c.call.id);
                    unlift(c.call);
                    entry = c.call.next;
                    continue;
                }
                if (++steps > maxSteps || (steps % DEADLINE_CHECK_INTERVAL == 0 && System.nanoTime() > deadline)) {
                    verdict = Verdict.UNKNOWN;
                    return;
                }
                if (RegisterModel.accepts(state, entry.op)) {
                    String next = RegisterModel.next(state, entry.op);
                    long[] candidate = linearized.clone();
                    set(candidate, entry.id);
                    if (cache.add(new CacheKey(candidate, next))) {
                        stack.push(new Choice(entry, state));
                        state = next;
                        linearized = candidate;
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            }
            verdict = Verdict.VALID;
        }

        private void noteFailure(Deque<Choice> stack, String state, Entry blocked) {
            if (stack.size() <= bestDepth) return;
            bestDepth = stack.size();
            List<Operation> prefix = new ArrayList<>(stack.size());
            stack.descendingIterator().forEachRemaining(c -> prefix.add(c.call.op));
            bestPrefix = prefix;
            bestState = state;
            bestBlocked = blocked;
            List<Operation> open = new ArrayList<>();
            for (Entry x = head.next; x != blocked; x = x.next) {
                if (x.isCall && x.op != blocked.op) open.add(x.op);
            }
            bestConcurrent = open;
        }

        LinearizabilityResult.KeyFailure failure() {
            return new LinearizabilityResult.KeyFailure(key, bestPrefix, bestState, bestBlocked.op, bestConcurrent);
        }

        private static void lift(Entry call) {
            call.prev.next = call.next;
            call.next.prev = call.prev;
            Entry ret = call.match;
            ret.prev.next = ret.next;
            if (ret.next != null) ret.next.prev = ret.prev;
        }

        private static void unlift(Entry call) {
            Entry ret = call.match;
            ret.prev.next = ret;
            if (ret.next != null) ret.next.prev = ret;
            call.prev.next = call;
            call.next.prev = call;
        }

        private static void set(long[] bits, int i) {
            bits[i >>> 6] |= 1L << i;
        }

        private static void clear(long[] bits, int i) {
            bits[i >>> 6] &= ~(1L << i);
        }
    }
}
