package io.stratakv.controller.core;

import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;

import java.util.Map;

/** A refused admin request: becomes an {@link ErrorBody} with the code's HTTP status. */
public final class AdminException extends RuntimeException {

    private final ErrorCode code;
    private final Map<String, String> details;

    public AdminException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public AdminException(ErrorCode code, String message, Map<String, String> details) {
        super(message);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public ErrorBody body() {
        return ErrorBody.of(code, getMessage(), details);
    }
}
