package io.stratakv.it.history;

/**
 * What an event in a history says about its operation (Jepsen's {@code :type}).
 *
 * <p>An operation is one {@link #INVOKE} followed by one completion from the same process.
 */
public enum OpType {
    /** The client is about to send the request. Carries the arguments. */
    INVOKE,
    /** The operation took effect, at one instant between its invoke and this event. */
    OK,
    /** The operation definitely did not take effect (a rejected precondition, a refused request). */
    FAIL,
    /**
     * The outcome is unknown (a timeout, a dropped connection): the operation may or may not have
     * taken effect, at any instant after its invoke, even after the end of the history. Never
     * record a timeout as {@link #FAIL} (Jepsen: Aerospike 3.99).
     */
    INFO;

    public boolean isCompletion() {
        return this != INVOKE;
    }
}
