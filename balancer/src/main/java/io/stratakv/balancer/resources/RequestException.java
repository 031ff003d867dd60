package io.stratakv.balancer.resources;

import io.stratakv.zk.contract.ErrorCode;

import java.util.Map;

/** A public request refused before routing: bad input, unknown keyspace, sizes. */
final class RequestException extends RuntimeException {

    private final ErrorCode code;
    private final Map<String, String> details;

    RequestException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    RequestException(ErrorCode code, String message, Map<String, String> details) {
        super(message, null, false, false);
        this.code = code;
        this.details = details;
    }

    /** INVALID_ARGUMENT with a stable {@code details.reason}. */
    static RequestException invalid(String reason, String message) {
        return new RequestException(ErrorCode.INVALID_ARGUMENT, message, Map.of("reason", reason));
    }

    ErrorCode code() {
        return code;
    }

    Map<String, String> details() {
        return details;
    }
}
