package io.stratakv.node.replica;

import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;

import java.util.Map;

/** A refusal with a stable code, answered as an {@link ErrorBody} by the HTTP layer. */
public class ReplicaException extends RuntimeException {

    private final ErrorCode code;
    private final Map<String, String> details;

    public ReplicaException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public ReplicaException(ErrorCode code, String message, Map<String, String> details) {
        super(message, null, false, false);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, String> details() {
        return details;
    }

    public ErrorBody body() {
        return ErrorBody.of(code, getMessage(), details);
    }
}
