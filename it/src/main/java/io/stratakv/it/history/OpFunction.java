package io.stratakv.it.history;

/** The operations on a single-key register. */
public enum OpFunction {
    /** Returns the current value, or absent. */
    READ,
    /** Sets the value; a write of absent is a delete. */
    WRITE,
    /** Sets the value to {@code value} if and only if it is currently {@code expected}. */
    CAS;

    public boolean isWrite() {
        return this != READ;
    }
}
