package io.stratakv.it.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable, real-time-ordered list of {@link Op} events, and the {@link Operation}s they pair into.
 *
 * <p>Invariants, checked on construction: event {@code i} has index {@code i}; times never go
 * backwards; every completion follows an open invoke of the same process, function and key.
 *
 * <p>Pairing: a process has at most one operation in flight. If a process invokes again while its
 * previous invoke has no completion, the client gave up on the earlier one: it becomes {@code INFO}
 * (Jepsen instead retires the process id; the effect on the checkers is the same). An invoke still
 * open at the end of the history is {@code INFO} too.
 */
public final class History {
    private final List<Op> events;
    private final List<Operation> operations;

    public History(List<Op> events) {
        this.events = List.copyOf(events);
        this.operations = pair(this.events);
    }

    public List<Op> events() {
        return events;
    }

    /** Every operation, in the order of their invokes. */
    public List<Operation> operations() {
        return operations;
    }

    public int size() {
        return events.size();
    }

    private static List<Operation> pair(List<Op> events) {
        List<Operation> out = new ArrayList<>();
        Map<Integer, Op> open = new HashMap<>();
        long lastNanos = Long.MIN_VALUE;
        for (int i = 0; i < events.size(); i++) {
            Op e = events.get(i);
            if (e.index() != i) {
                throw new IllegalArgumentException("event at position " + i + " has index " + e.index());
            }
            if (e.nanos() < lastNanos) {
                throw new IllegalArgumentException("time goes backwards at event " + e);
            }
            lastNanos = e.nanos();
            if (e.type() == OpType.INVOKE) {
                Op abandoned = open.put(e.process(), e);
                if (abandoned != null) {
                    out.add(unknown(abandoned, "abandoned: process invoked again without a completion"));
                }
                continue;
            }
            Op inv = open.remove(e.process());
            if (inv == null) {
                throw new IllegalArgumentException("completion without an open invoke: " + e);
            }
            if (inv.function() != e.function() || !inv.key().equals(e.key())) {
                throw new IllegalArgumentException("completion " + e + " does not match its invoke " + inv);
            }
            if (e.type() == OpType.INFO) {
                out.add(unknown(inv, e.error()));
            } else {
                String value = inv.function() == OpFunction.READ ? e.value() : inv.value();
                out.add(new Operation(inv.index(), inv.process(), inv.function(), inv.key(), value, inv.expected(),
                        inv.consistency(), e.type(), inv.nanos(), e.nanos(), e.error()));
            }
        }
        for (Op inv : open.values()) {
            out.add(unknown(inv, "no completion recorded"));
        }
        out.sort(Comparator.comparingLong(Operation::invokeIndex));
        return List.copyOf(out);
    }

    private static Operation unknown(Op inv, String reason) {
        String value = inv.function() == OpFunction.READ ? null : inv.value();
        return new Operation(inv.index(), inv.process(), inv.function(), inv.key(), value, inv.expected(),
                inv.consistency(), OpType.INFO, inv.nanos(), Operation.NEVER, Objects.requireNonNullElse(reason, "unknown"));
    }
}
