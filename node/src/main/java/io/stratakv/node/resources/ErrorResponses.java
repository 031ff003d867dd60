package io.stratakv.node.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratakv.node.replica.ReplicaException;
import io.stratakv.storage.StorageException;
import io.stratakv.zk.StrataJson;
import io.stratakv.zk.contract.ErrorBody;
import io.stratakv.zk.contract.ErrorCode;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** Every error of the node's servlets as a JSON {@link ErrorBody} with its code's HTTP status. */
final class ErrorResponses {

    static final ObjectMapper JSON = StrataJson.newMapper();
    /** Seconds a client should wait before retrying a 503 (an election usually takes about this long). */
    static final String RETRY_AFTER_SECONDS = "1";

    private ErrorResponses() {
    }

    static void send(HttpServletResponse resp, ErrorBody body) throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        resp.resetBuffer();
        resp.setStatus(body.httpStatus());
        resp.setContentType("application/json");
        if (body.httpStatus() == 503 || body.httpStatus() == 429) {
            resp.setHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
        resp.getOutputStream().write(JSON.writeValueAsBytes(body));
    }

    static ErrorBody of(RuntimeException e) {
        if (e instanceof ReplicaException re) {
            return re.body();
        }
        if (e instanceof StorageException se) {
            ErrorCode code = switch (se.code()) {
                case KEY_TOO_LARGE -> ErrorCode.KEY_TOO_LARGE;
                case VALUE_TOO_LARGE, RECORD_TOO_LARGE -> ErrorCode.VALUE_TOO_LARGE;
                case KEY_EMPTY, INVALID_ARGUMENT, KEY_RESERVED -> ErrorCode.INVALID_ARGUMENT;
                case STALE_EPOCH -> ErrorCode.STALE_EPOCH;
                case DISK_FULL -> ErrorCode.OVERLOADED;
                case CLOSED -> ErrorCode.PARTITION_UNAVAILABLE;
                case PARTITION_SPLIT -> ErrorCode.PARTITION_SPLIT;
                default -> ErrorCode.INTERNAL;
            };
            return ErrorBody.of(code, se.getMessage());
        }
        if (e instanceof org.eclipse.jetty.http.HttpException he && he.getCode() >= 400 && he.getCode() < 500) {
            // The servlet container refused to decode the query (getParameter on bytes that are not UTF-8).
            return ErrorBody.of(ErrorCode.INVALID_ARGUMENT, "the query string cannot be decoded: " + e.getMessage(),
                    java.util.Map.of("reason", "bad_query"));
        }
        if (e instanceof IllegalArgumentException) {
            return ErrorBody.of(ErrorCode.INVALID_ARGUMENT, String.valueOf(e.getMessage()));
        }
        return ErrorBody.of(ErrorCode.INTERNAL, e.toString());
    }
}
