package io.stratakv.zk;

import io.stratakv.zk.contract.ErrorCode;

/**
 * A cluster name, node id, keyspace name or partition id that may not be used, because it would
 * not be a safe znode name. Carries the stable {@link ErrorCode} an HTTP API answers with.
 */
public final class InvalidNameException extends IllegalArgumentException {

    private final ErrorCode code;
    private final String name;

    public InvalidNameException(ErrorCode code, String name, String message) {
        super(code.name() + ": " + message);
        this.code = code;
        this.name = name;
    }

    /** The stable code, e.g. {@link ErrorCode#INVALID_KEYSPACE_NAME}. */
    public ErrorCode code() {
        return code;
    }

    /** The rejected name as given (may be null if null was given). */
    public String rejectedName() {
        return name;
    }
}
