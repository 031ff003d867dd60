package io.stratakv.it.check;

import io.stratakv.it.history.Consistency;
import io.stratakv.it.history.History;
import io.stratakv.it.history.OpFunction;
import io.stratakv.it.history.Operation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks that no acknowledged durable write was lost: every write or CAS that completed
 * {@code OK} at {@code QUORUM} or {@code ALL} is either the final value of its key or was
 * overwritten by a write that may have come after it.
 *
 * <h2>Definition</h2>
 * Let {@code F} be the final value of key {@code k}: a read made after every client stopped and
 * every fault healed (absent is a value). A <em>candidate</em> for {@code F} is a write or CAS of
 * {@code k} that wrote {@code F} and did not {@code FAIL} ({@code OK} or {@code INFO}, at any
 * consistency: a write at {@code ONE} may survive, and an unknown one may have happened).
 * An acknowledged durable write {@code W} of {@code k} is <b>kept</b> if some candidate {@code X}
 * (possibly {@code W} itself) does not precede {@code W} in real time, that is, {@code X} had not
 * completed when {@code W} was invoked: then {@code X} may have taken effect after {@code W} and
 * hidden it. Otherwise {@code W} is <b>lost</b>, in one of three ways:
 * <ul>
 *   <li>the final value is absent and nothing that may follow {@code W} deleted the key;
 *   <li>the final value was written only by writes that completed before {@code W} was invoked,
 *       so {@code W} was undone (a truncated log, a stale replica promoted);
 *   <li>the final value was never written at all.
 * </ul>
 * This is weaker than linearizability (it ignores reads during the run) but needs only the final
 * state, so it still holds meaning when the history is too large or too uncertain to linearize.
 * Values are assumed unique per write, as the workload makes them; with repeated values a
 * candidate may be the wrong write, which can only hide a loss, never invent one.
 *
 * <p>A key with acknowledged durable writes but no final read makes the verdict {@code UNKNOWN}.
 */
public final class LostWriteChecker {

    /** An acknowledged durable write that did not survive, and why. */
    public record LostWrite(Operation write, String finalValue, String reason) {
        @Override
        public String toString() {
            return "lost " + write + ": " + reason;
        }
    }

    /**
     * @param acknowledged acknowledged durable writes examined
     * @param unreadKeys keys with such writes but no final read
     */
    public record Result(Verdict verdict, List<LostWrite> lost, List<String> unreadKeys, int acknowledged) {
        public Result {
            lost = List.copyOf(lost);
            unreadKeys = List.copyOf(unreadKeys);
        }

        public boolean isValid() {
            return verdict == Verdict.VALID;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder().append(verdict).append(": ").append(acknowledged)
                    .append(" acknowledged QUORUM/ALL writes, ").append(lost.size()).append(" lost");
            if (!unreadKeys.isEmpty()) b.append(", no final read of ").append(unreadKeys);
            lost.forEach(l -> b.append("\n  ").append(l));
            return b.toString();
        }
    }

    /**
     * @param finalValues the final read of each key; {@code Optional.empty()} means the read
     *     found the key absent, a missing entry means the key was not read
     */
    public Result check(History history, Map<String, Optional<String>> finalValues) {
        Map<String, List<Operation>> writesByKey = new LinkedHashMap<>();
        for (Operation o : history.operations()) {
            if (o.function().isWrite() && !o.isFail()) {
                writesByKey.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(o);
            }
        }
        List<LostWrite> lost = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        int acknowledged = 0;
        for (Map.Entry<String, List<Operation>> e : writesByKey.entrySet()) {
            List<Operation> writes = e.getValue();
            List<Operation> durable = writes.stream().filter(LostWriteChecker::isAcknowledgedDurable).toList();
            acknowledged += durable.size();
            if (durable.isEmpty()) continue;
            Optional<String> finalRead = finalValues.get(e.getKey());
            if (finalRead == null) {
                unread.add(e.getKey());
                continue;
            }
            String fin = finalRead.orElse(null);
            List<Operation> candidates = writes.stream().filter(x -> Objects.equals(x.value(), fin)).toList();
            for (Operation w : durable) {
                if (candidates.stream().noneMatch(x -> !x.precedes(w))) {
                    lost.add(new LostWrite(w, fin, reason(fin, candidates)));
                }
            }
        }
        Verdict verdict = !lost.isEmpty() ? Verdict.INVALID : !unread.isEmpty() ? Verdict.UNKNOWN : Verdict.VALID;
        return new Result(verdict, lost, unread, acknowledged);
    }

    /**
     * The final reads a history ends with, for a history that records them itself: per key, the
     * last {@code OK} read at {@code STRONG} invoked after every write of that key that completed
     * had completed. Writes that never completed ({@code INFO}) are ignored here; they stay
     * candidates in {@link #check}. A key with no such read is left out (and so unread).
     */
    public static Map<String, Optional<String>> finalReads(History history) {
        Map<String, Long> lastWriteCompletion = new HashMap<>();
        for (Operation o : history.operations()) {
            if (o.function().isWrite() && !o.isInfo()) {
                lastWriteCompletion.merge(o.key(), o.completeNanos(), Math::max);
            }
        }
        Map<String, Optional<String>> reads = new LinkedHashMap<>();
        for (Operation o : history.operations()) {
            if (o.function() == OpFunction.READ && o.isOk() && o.consistency() == Consistency.STRONG
                    && o.invokeNanos() > lastWriteCompletion.getOrDefault(o.key(), Long.MIN_VALUE)) {
                reads.put(o.key(), Optional.ofNullable(o.value()));
            }
        }
        return reads;
    }

    private static boolean isAcknowledgedDurable(Operation o) {
        return o.isOk() && o.consistency().isDurableWrite();
    }

    private static String reason(String fin, List<Operation> candidates) {
        String shown = fin == null ? "<absent>" : '"' + fin + '"';
        if (candidates.isEmpty()) {
            return fin == null
                    ? "the key ends absent and no delete could have followed it"
                    : "the key ends as " + shown + ", which no write wrote";
        }
        return "the key ends as " + shown + ", written only before it was invoked, by " + candidates;
    }
}
