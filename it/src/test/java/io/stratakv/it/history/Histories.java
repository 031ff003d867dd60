package io.stratakv.it.history;

import java.util.HashMap;
import java.util.Map;

/**
 * A small language for writing histories by hand in tests: events are appended in the order
 * written, and the clock ticks by one per event, so "A completed before B was invoked" is simply
 * "A's completion is written above B's invoke". Writes default to QUORUM, reads to STRONG.
 */
public final class Histories {
    private long tick;
    private final HistoryRecorder recorder = new HistoryRecorder(() -> tick++);
    private final Map<Integer, Op> open = new HashMap<>();

    public static Histories history() {
        return new Histories();
    }

    public Histories read(int p, String key) {
        open.put(p, recorder.invokeRead(p, key, Consistency.STRONG));
        return this;
    }

    public Histories write(int p, String key, String value) {
        return write(p, key, value, Consistency.QUORUM);
    }

    public Histories write(int p, String key, String value, Consistency c) {
        open.put(p, recorder.invokeWrite(p, key, value, c));
        return this;
    }

    public Histories cas(int p, String key, String expected, String newValue) {
        open.put(p, recorder.invokeCas(p, key, expected, newValue, Consistency.QUORUM));
        return this;
    }

    /** A write or CAS of process {@code p} took effect. */
    public Histories ok(int p) {
        recorder.ok(take(p));
        return this;
    }

    /** The read of process {@code p} returned {@code value} (null: absent). */
    public Histories ok(int p, String value) {
        recorder.okRead(take(p), value);
        return this;
    }

    public Histories fail(int p) {
        recorder.fail(take(p), "rejected");
        return this;
    }

    public Histories info(int p) {
        recorder.info(take(p), "timeout");
        return this;
    }

    public History build() {
        return recorder.history();
    }

    private Op take(int p) {
        Op inv = open.remove(p);
        if (inv == null) throw new IllegalStateException("process " + p + " has nothing in flight");
        return inv;
    }
}
