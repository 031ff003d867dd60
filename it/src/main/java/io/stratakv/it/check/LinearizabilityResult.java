package io.stratakv.it.check;

import io.stratakv.it.history.Operation;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The verdict of {@link LinearizabilityChecker} on a whole history: {@code INVALID} if any key's
 * sub-history is not linearizable, else {@code UNKNOWN} if any key ran out of budget, else
 * {@code VALID}.
 *
 * @param failures one per key that is not linearizable
 * @param unknownKeys keys whose search ran out of budget
 * @param operationsChecked operations that took part in the search, summed over keys
 * @param steps search steps (attempts to linearize an operation), summed over keys
 */
public record LinearizabilityResult(
        Verdict verdict,
        List<KeyFailure> failures,
        List<String> unknownKeys,
        int keys,
        int operationsChecked,
        long steps,
        Duration elapsed) {

    public LinearizabilityResult {
        failures = List.copyOf(failures);
        unknownKeys = List.copyOf(unknownKeys);
    }

    public boolean isValid() {
        return verdict == Verdict.VALID;
    }

    /**
     * Why one key is not linearizable, from the deepest point the search reached: after
     * linearizing {@code prefix} (leaving the register at {@code state}), the operation
     * {@code blocked} had to take effect before it completed, and neither it nor any ordering of
     * the operations {@code concurrent} with it could be placed.
     *
     * @param prefix the longest linearizable prefix found, in linearization order
     * @param state the register's value after the prefix (null: absent)
     * @param concurrent operations invoked but not linearized at that point, {@code blocked} excluded
     */
    public record KeyFailure(String key, List<Operation> prefix, String state, Operation blocked,
                             List<Operation> concurrent) {
        /** How many operations of the prefix {@link #explanation} shows. */
        private static final int SHOWN_PREFIX = 8;

        public KeyFailure {
            prefix = List.copyOf(prefix);
            concurrent = List.copyOf(concurrent);
        }

        public String explanation() {
            StringBuilder b = new StringBuilder();
            b.append("key ").append(key).append(": not linearizable. Linearized ").append(prefix.size())
                    .append(" operation(s)");
            if (prefix.size() > SHOWN_PREFIX) b.append(", the last ").append(SHOWN_PREFIX);
            b.append(":\n");
            for (Operation o : prefix.subList(Math.max(0, prefix.size() - SHOWN_PREFIX), prefix.size())) {
                b.append("    ").append(o).append('\n');
            }
            b.append("  leaving the value ").append(state == null ? "<absent>" : '"' + state + '"')
                    .append("; then this operation could not take effect before it completed:\n    ")
                    .append(blocked).append('\n');
            if (!concurrent.isEmpty()) {
                b.append("  nor could any order of the operations still open with it:\n");
                b.append(concurrent.stream().map(o -> "    " + o).collect(Collectors.joining("\n"))).append('\n');
            }
            return b.toString();
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(verdict).append(": ").append(operationsChecked).append(" operations over ").append(keys)
                .append(" keys, ").append(steps).append(" steps, ").append(elapsed.toMillis()).append(" ms");
        if (!unknownKeys.isEmpty()) b.append("; out of budget on ").append(unknownKeys);
        for (KeyFailure f : failures) b.append('\n').append(f.explanation());
        return b.toString();
    }
}
