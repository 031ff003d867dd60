package io.stratakv.it.history;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Records the events of many client threads into one {@link History}.
 *
 * <p>Thread safety: every method may be called from any thread. The clock is read and the event
 * appended under one lock, so the order of events is the order of their timestamps, and an
 * invoke is stamped before the request is sent and a completion after the answer arrived: the
 * recorded interval always contains the real one. The lock is held for an append, far shorter
 * than any request it brackets.
 *
 * <p>Usage from a client thread:
 * <pre>{@code
 * Op inv = recorder.invoke(Op.invoke(process, WRITE, key, value, null, QUORUM));
 * try { client.put(key, value); recorder.ok(inv); }
 * catch (Rejected e) { recorder.fail(inv, e.code()); }
 * catch (Timeout e)  { recorder.info(inv, "timeout"); }
 * }</pre>
 */
public final class HistoryRecorder {
    private final LongSupplier clock;
    private final List<Op> events = new ArrayList<>();

    public HistoryRecorder() {
        this(System::nanoTime);
    }

    /** With a given clock; tests use a counter so that histories are deterministic. */
    public HistoryRecorder(LongSupplier clock) {
        this.clock = clock;
    }

    /** Records an invoke built by {@link Op#invoke}, and returns it stamped, to complete later. */
    public synchronized Op invoke(Op invoke) {
        if (invoke.type() != OpType.INVOKE) throw new IllegalArgumentException("not an invoke: " + invoke);
        return append(invoke);
    }

    public Op invokeRead(int process, String key, Consistency consistency) {
        return invoke(Op.invoke(process, OpFunction.READ, key, null, null, consistency));
    }

    public Op invokeWrite(int process, String key, String value, Consistency consistency) {
        return invoke(Op.invoke(process, OpFunction.WRITE, key, value, null, consistency));
    }

    public Op invokeCas(int process, String key, String expected, String newValue, Consistency consistency) {
        return invoke(Op.invoke(process, OpFunction.CAS, key, newValue, expected, consistency));
    }

    /** A write or CAS took effect. */
    public Op ok(Op invoke) {
        if (invoke.function() == OpFunction.READ) throw new IllegalArgumentException("a read completes with okRead");
        return complete(invoke, OpType.OK, null, null);
    }

    /** A read returned {@code value} (null: absent). */
    public Op okRead(Op invoke, String value) {
        if (invoke.function() != OpFunction.READ) throw new IllegalArgumentException("not a read: " + invoke);
        return complete(invoke, OpType.OK, value, null);
    }

    /** The operation definitely did not take effect. */
    public Op fail(Op invoke, String reason) {
        return complete(invoke, OpType.FAIL, null, reason);
    }

    /** The outcome is unknown: a timeout, a lost connection. */
    public Op info(Op invoke, String reason) {
        return complete(invoke, OpType.INFO, null, reason);
    }

    private synchronized Op complete(Op invoke, OpType type, String readValue, String reason) {
        return append(invoke.complete(type, readValue, reason));
    }

    private Op append(Op op) {
        Op stamped = op.at(events.size(), clock.getAsLong());
        events.add(stamped);
        return stamped;
    }

    /** A snapshot of everything recorded so far. */
    public synchronized History history() {
        return new History(events);
    }
}
