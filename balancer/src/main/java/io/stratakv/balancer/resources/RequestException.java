package io.stratakv.balancer.resources;

import io.stratakv.zk.contract.ErrorCode;

/** A public request refused before routing: bad input, unknown keyspace, sizes. */
final class RequestException extends RuntimeException {

    private final ErrorCode code;

    RequestException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    ErrorCode code() {
        return code;
    }
}
