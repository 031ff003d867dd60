package io.stratakv.controller.client;

import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;

import java.util.Optional;

/**
 * A node answered a controller call with an error. When the node sent an {@link ErrorBody} (every
 * StrataKV API does), {@link #code()} is its stable code (for instance {@code STALE_EPOCH} when a
 * replica is already fenced at a newer epoch); otherwise it is {@link ErrorCode#UNKNOWN} and
 * {@link #httpStatus()} says what came back. A node that did not answer at all (refused,
 * timed out) throws an {@link java.io.IOException} instead, never this.
 */
public final class NodeCallException extends Exception {

    private final String nodeId;
    private final int httpStatus;
    private final Optional<ErrorBody> body;

    public NodeCallException(String nodeId, String call, int httpStatus, Optional<ErrorBody> body) {
        super("node " + nodeId + " refused " + call + " with HTTP " + httpStatus
                + body.map(b -> " " + b.code() + ": " + b.message()).orElse(" (no error body)"));
        this.nodeId = nodeId;
        this.httpStatus = httpStatus;
        this.body = body;
    }

    public String nodeId() {
        return nodeId;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public Optional<ErrorBody> body() {
        return body;
    }

    /** The node's error code, or UNKNOWN when it sent no ErrorBody. */
    public ErrorCode code() {
        return body.map(ErrorBody::code).orElse(ErrorCode.UNKNOWN);
    }
}
