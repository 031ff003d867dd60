package io.stratakv.it.history;

import java.util.Objects;

/**
 * One event of a history, in the style of Jepsen: a process (one client thread) invokes an
 * operation, then completes it with {@code OK}, {@code FAIL} or {@code INFO}.
 *
 * <p>Register values are strings, and {@code null} means <em>absent</em> (a key never written, or
 * deleted). That is the one place this module admits a null: it is a value of the domain, written
 * as JSON {@code null} or an omitted field.
 *
 * <ul>
 *   <li>{@code READ}: the invoke has no value; an {@code OK} completion carries the value read.
 *   <li>{@code WRITE}: {@code value} is the value written, on the invoke and on its completion.
 *   <li>{@code CAS}: {@code expected} and {@code value} (the new value), on both.
 * </ul>
 *
 * @param index position of the event in its history, 0-based; events are in real-time order
 * @param process the client that issued it; a process has at most one operation in flight
 * @param nanos {@link System#nanoTime()} when the event happened; only differences mean anything
 * @param error why the operation failed or is unknown; null unless {@code FAIL} or {@code INFO}
 */
public record Op(
        long index,
        int process,
        OpType type,
        OpFunction function,
        String key,
        String value,
        String expected,
        Consistency consistency,
        long nanos,
        String error) {

    public Op {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(consistency, "consistency");
        if (function != OpFunction.CAS && expected != null) {
            throw new IllegalArgumentException("only CAS has an expected value: " + function);
        }
    }

    public static Op invoke(int process, OpFunction function, String key, String value, String expected,
                            Consistency consistency) {
        return new Op(-1, process, OpType.INVOKE, function, key, value, expected, consistency, 0, null);
    }

    /** The completion of this invoke, with the given type; a read's {@code OK} carries {@code readValue}. */
    public Op complete(OpType completion, String readValue, String reason) {
        if (type != OpType.INVOKE || !completion.isCompletion()) {
            throw new IllegalArgumentException("cannot complete a " + type + " with " + completion);
        }
        String v = function == OpFunction.READ ? (completion == OpType.OK ? readValue : null) : value;
        return new Op(-1, process, completion, function, key, v, expected, consistency, 0, reason);
    }

    Op at(long newIndex, long newNanos) {
        return new Op(newIndex, process, type, function, key, value, expected, consistency, newNanos, error);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append('#').append(index).append(" p").append(process).append(' ').append(type).append(' ')
                .append(function).append(' ').append(key);
        switch (function) {
            case READ -> { if (type == OpType.OK) b.append(" -> ").append(show(value)); }
            case WRITE -> b.append(" := ").append(show(value));
            case CAS -> b.append(' ').append(show(expected)).append(" -> ").append(show(value));
        }
        b.append(" @").append(consistency);
        if (error != null) b.append(" (").append(error).append(')');
        return b.toString();
    }

    static String show(String v) {
        return v == null ? "<absent>" : '"' + v + '"';
    }
}
