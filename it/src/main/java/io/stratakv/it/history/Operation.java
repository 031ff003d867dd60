package io.stratakv.it.history;

import java.util.Objects;

/**
 * An invoke paired with its completion: the unit the checkers reason about.
 *
 * <p>An {@code OK} operation took effect at one instant in {@code [invokeNanos, completeNanos]}.
 * A {@code FAIL} operation did not take effect. An {@code INFO} operation may have taken effect at
 * any instant after {@code invokeNanos}, or never: its {@code completeNanos} is {@link #NEVER}.
 *
 * @param value for a read, the value it returned (only meaningful when {@code OK}); for a write or
 *     CAS, the value it writes; null means absent
 * @param invokeIndex the history index of the invoke, which identifies the operation
 */
public record Operation(
        long invokeIndex,
        int process,
        OpFunction function,
        String key,
        String value,
        String expected,
        Consistency consistency,
        OpType outcome,
        long invokeNanos,
        long completeNanos,
        String error) {

    /** The completion time of an operation whose outcome is unknown: after everything. */
    public static final long NEVER = Long.MAX_VALUE;

    public Operation {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(consistency, "consistency");
        if (!outcome.isCompletion()) throw new IllegalArgumentException("outcome must be a completion");
        if (outcome == OpType.INFO && completeNanos != NEVER) {
            throw new IllegalArgumentException("an INFO operation completes at NEVER");
        }
        if (completeNanos < invokeNanos) throw new IllegalArgumentException("completes before its invoke");
    }

    public boolean isOk() { return outcome == OpType.OK; }
    public boolean isFail() { return outcome == OpType.FAIL; }
    public boolean isInfo() { return outcome == OpType.INFO; }

    /** Whether this operation completed before {@code other} was invoked (real-time order). */
    public boolean precedes(Operation other) {
        return completeNanos < other.invokeNanos;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append('#').append(invokeIndex).append(" p").append(process).append(' ').append(function)
                .append(' ').append(key);
        switch (function) {
            case READ -> b.append(" -> ").append(isOk() ? Op.show(value) : "?");
            case WRITE -> b.append(" := ").append(Op.show(value));
            case CAS -> b.append(' ').append(Op.show(expected)).append(" -> ").append(Op.show(value));
        }
        b.append(' ').append(outcome).append(" @").append(consistency);
        b.append(" [").append(invokeNanos).append(", ").append(completeNanos == NEVER ? "∞" : completeNanos).append(']');
        if (error != null) b.append(" (").append(error).append(')');
        return b.toString();
    }
}
